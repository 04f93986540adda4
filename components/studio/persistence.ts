'use client';
/**
 * Keeps the open model, its variants (their bytes), evaluations, latencies and per-layer errors
 * in IndexedDB, so a reload finds them all. What is stored is what the store already shows:
 * writes follow the store, never a job in flight, so a failed or cancelled job changes nothing
 * here. Quota problems are reported in the UI, not hit silently.
 */
import { openDB, type IDBPDatabase } from 'idb';
import type { EvalResult, LayerError } from '@/lib/compare/types';
import type { OptimizedVariant } from '@/lib/session/optimize';
import type { RunResult } from '@/lib/store/run-slice';
import type { ModelSource } from './controller';

const DB = 'edge-model-studio';
const STORE = 'workspace';
const KEY = 'current';

export interface SavedWorkspace {
  source: ModelSource;
  variants: Array<{ summary: OptimizedVariant; bytes: Blob }>;
  evals: EvalResult[];
  runs: RunResult[];
  layerErrors: Record<string, LayerError[]>;
  savedAt: number;
}

let db: Promise<IDBPDatabase> | null = null;

function open(): Promise<IDBPDatabase> | null {
  if (typeof indexedDB === 'undefined') return null;
  db ??= openDB(DB, 1, { upgrade: (d) => { d.createObjectStore(STORE); } });
  return db;
}

export async function loadWorkspace(): Promise<SavedWorkspace | null> {
  const d = open();
  if (!d) return null;
  try {
    return ((await (await d).get(STORE, KEY)) as SavedWorkspace | undefined) ?? null;
  } catch {
    return null;
  }
}

/** Saves; the returned text says how much is stored, or why saving failed. */
export async function saveWorkspace(w: SavedWorkspace): Promise<string> {
  const d = open();
  if (!d) return 'This browser has no IndexedDB: nothing is kept across reloads.';
  try {
    await (await d).put(STORE, w, KEY);
  } catch (e) {
    const quota = e instanceof DOMException && (e.name === 'QuotaExceededError' || /quota/i.test(e.message));
    return quota
      ? 'Browser storage is full: the newest variants are not kept across reloads (free space, or download them).'
      : `Could not keep the workspace across reloads: ${(e as Error).message}`;
  }
  return storageLine(w);
}

export async function clearWorkspace(): Promise<void> {
  const d = open();
  if (d) await (await d).delete(STORE, KEY).catch(() => undefined);
}

async function storageLine(w: SavedWorkspace): Promise<string> {
  const bytes = w.variants.reduce((a, v) => a + v.bytes.size, 0) + (w.source.kind === 'files' ? w.source.files.reduce((a, f) => a + f.blob.size, 0) : 0);
  const est = await navigator.storage?.estimate?.().catch(() => undefined);
  const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;
  return `Kept across reloads: ${w.variants.length} variant(s), ${mb(bytes)}${est?.quota ? ` (browser storage ${mb(est.usage ?? 0)} of ${mb(est.quota)} used)` : ''}.`;
}
