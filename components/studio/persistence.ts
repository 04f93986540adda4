'use client';
/**
 * Keeps every model the user opened, with its variants (their bytes), evaluations, latencies and
 * per-layer errors, in IndexedDB: one record per model, an index of them for the Recent list,
 * and a pointer to the one open last, which a reload reopens. What is stored is what the store
 * already shows: writes follow the store, never a job in flight, so a failed or cancelled job
 * changes nothing here. Quota problems are reported in the UI, not hit silently.
 */
import { openDB, type IDBPDatabase } from 'idb';
import type { EvalResult, LayerError } from '@/lib/compare/types';
import type { OptimizedVariant } from '@/lib/session/optimize';
import type { RunResult } from '@/lib/store/run-slice';
import type { ModelSource } from './controller';

const DB = 'edge-model-studio';
const STORE = 'workspace';
const CURRENT = 'current';
const INDEX = 'index';
const PREFIX = 'model:';
/** Models kept at most; the least recently saved go first (a dropped 100 MB model is kept too). */
export const MAX_KEPT = 8;

export interface SavedWorkspace {
  source: ModelSource;
  variants: Array<{ summary: OptimizedVariant; bytes: Blob }>;
  evals: EvalResult[];
  runs: RunResult[];
  layerErrors: Record<string, LayerError[]>;
  savedAt: number;
}

/** One kept model, as the Recent list shows it. */
export interface KeptEntry {
  key: string;
  label: string;
  variants: number;
  bytes: number;
  savedAt: number;
}

/** The same file(s) dropped again, or the same URL, find the same record. */
export function workspaceKey(source: ModelSource): string {
  return source.kind === 'url'
    ? `${PREFIX}url:${source.url}`
    : `${PREFIX}files:${source.files.map((f) => `${f.name}:${f.blob.size}`).join('|')}`;
}

let db: Promise<IDBPDatabase> | null = null;

function open(): Promise<IDBPDatabase> | null {
  if (typeof indexedDB === 'undefined') return null;
  db ??= openDB(DB, 1, { upgrade: (d) => { d.createObjectStore(STORE); } });
  return db;
}

/** The workspace of `key`, or of the model open last. */
export async function loadWorkspace(key?: string): Promise<SavedWorkspace | null> {
  const d = open();
  if (!d) return null;
  try {
    const k = key ?? ((await (await d).get(STORE, CURRENT)) as unknown);
    if (typeof k !== 'string') return null;
    return ((await (await d).get(STORE, k)) as SavedWorkspace | undefined) ?? null;
  } catch {
    return null;
  }
}

export async function listWorkspaces(): Promise<KeptEntry[]> {
  const d = open();
  if (!d) return [];
  try {
    const list = (await (await d).get(STORE, INDEX)) as KeptEntry[] | undefined;
    return Array.isArray(list) ? [...list].sort((a, b) => b.savedAt - a.savedAt) : [];
  } catch {
    return [];
  }
}

/** Forgets one model's workspace (its files, variants and results). */
export async function forgetWorkspace(key: string): Promise<KeptEntry[]> {
  const d = open();
  if (!d) return [];
  const tx = (await d).transaction(STORE, 'readwrite');
  const list = ((await tx.store.get(INDEX)) as KeptEntry[] | undefined) ?? [];
  await tx.store.put(list.filter((e) => e.key !== key), INDEX);
  await tx.store.delete(key);
  if ((await tx.store.get(CURRENT)) === key) await tx.store.delete(CURRENT);
  await tx.done;
  return listWorkspaces();
}

/** Saves; the returned text says how much is stored, or why saving failed. */
export async function saveWorkspace(w: SavedWorkspace): Promise<{ line: string; kept?: KeptEntry[] }> {
  const d = open();
  if (!d) return { line: 'This browser has no IndexedDB: nothing is kept across reloads.' };
  const key = workspaceKey(w.source);
  const entry: KeptEntry = { key, label: w.source.label, variants: w.variants.length, bytes: workspaceBytes(w), savedAt: w.savedAt };
  let next: KeptEntry[];
  try {
    // One transaction: the index never names a record that is not there.
    const tx = (await d).transaction(STORE, 'readwrite');
    const list = ((await tx.store.get(INDEX)) as KeptEntry[] | undefined) ?? [];
    next = [...list.filter((e) => e.key !== key), entry].sort((a, b) => b.savedAt - a.savedAt);
    for (const gone of next.splice(MAX_KEPT)) await tx.store.delete(gone.key);
    await tx.store.put(w, key);
    await tx.store.put(next, INDEX);
    await tx.store.put(key, CURRENT);
    await tx.done;
  } catch (e) {
    const quota = e instanceof DOMException && (e.name === 'QuotaExceededError' || /quota/i.test(e.message));
    return {
      line: quota
        ? 'Browser storage is full: the newest variants are not kept across reloads (free space, or download them).'
        : `Could not keep the workspace across reloads: ${(e as Error).message}`,
    };
  }
  // The index just written is the Recent list: no second read.
  return { line: await storageLine(w), kept: next };
}

function workspaceBytes(w: SavedWorkspace): number {
  return w.variants.reduce((a, v) => a + v.bytes.size, 0) + (w.source.kind === 'files' ? w.source.files.reduce((a, f) => a + f.blob.size, 0) : 0);
}

async function storageLine(w: SavedWorkspace): Promise<string> {
  const bytes = workspaceBytes(w);
  const est = await navigator.storage?.estimate?.().catch(() => undefined);
  const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;
  return `Kept across reloads: ${w.variants.length} variant(s), ${mb(bytes)}${est?.quota ? ` (browser storage ${mb(est.usage ?? 0)} of ${mb(est.quota)} used)` : ''}.`;
}
