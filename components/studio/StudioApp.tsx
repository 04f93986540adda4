'use client';
import dynamic from 'next/dynamic';

// The studio is browser-only (workers, File, drag and drop): no server rendering of it.
const Studio = dynamic(() => import('./Studio'), { ssr: false, loading: () => <div className="boot">Loading studio…</div> });

export function StudioApp() {
  return <Studio />;
}
