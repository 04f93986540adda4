'use client';
import type { ModelSource } from './controller';

export interface Sample {
  id: string;
  title: string;
  format: string;
  /** URLs relative to the site root; the primary file first (TF.js shards are found from it). */
  files: string[];
  description?: string;
  /** JSON with the model's class labels and input notes. */
  info?: string;
  source?: string;
  default?: boolean;
}

/** The gallery is data (public/models/gallery.json); third-party entries exist once installed. */
export async function loadSamples(): Promise<Sample[]> {
  try {
    const res = await fetch('/models/gallery.json');
    if (!res.ok) return [];
    const json = (await res.json()) as unknown;
    const list = Array.isArray(json) ? json : (json as { samples?: unknown[]; models?: unknown[] }).samples ?? (json as { models?: unknown[] }).models ?? [];
    return (list as Sample[]).filter((s) => s && typeof s.id === 'string' && Array.isArray(s.files) && s.files.length > 0);
  } catch {
    return [];
  }
}

/** A model address as typed (absolute, or relative to the studio) as something to open. */
export function urlSource(text: string, label = text, infoUrl?: string): ModelSource {
  let url = text;
  try {
    url = new URL(text, window.location.href).href;
  } catch {
    // left as typed: the worker reports an invalid URL with the address in the message
  }
  return { kind: 'url', url, label, ...(infoUrl ? { infoUrl } : {}) };
}

export function sampleSource(s: Sample): ModelSource {
  return urlSource(s.files[0]!, s.title, s.info);
}
