'use client';
import type { StudioStore } from '@/lib/store/studio-store';
import type { Recipe } from '@/lib/transforms/types';
import type { ModelSource } from './controller';
import { forgetWorkspace, listWorkspaces, loadWorkspace, saveWorkspace, workspaceKey, type SavedWorkspace } from './persistence';

type Files = Array<{ name: string; bytes: Uint8Array }>;

/**
 * Follows the store and keeps the open model's workspace in IndexedDB (debounced); when a model
 * that was kept opens again (after a reload, from Recent, or dropped again) its variants come
 * back from their stored bytes with their results.
 */
export class Keeper {
  private source: ModelSource | null = null;
  private readonly blobs = new Map<string, Blob>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private unsubscribe: (() => void) | null = null;

  constructor(
    private readonly store: StudioStore,
    private readonly files: (variant: string) => Promise<Files | null>,
    private readonly restoreVariant: (p: { id: string; fileName: string; bytes: Uint8Array; recipe: Recipe }) => Promise<boolean>,
  ) {}

  private get s() {
    return this.store.getState();
  }

  /** A model opened: its kept workspace (if any) comes back, and from now on it is the one kept. */
  async opened(source: ModelSource): Promise<void> {
    this.source = source;
    this.blobs.clear();
    this.unsubscribe?.();
    this.unsubscribe = null;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    // Restore before following the store: an early save would overwrite the kept record.
    const kept = await loadWorkspace(workspaceKey(source));
    if (this.source !== source) return;
    if (kept) await this.restore(kept);
    if (this.source !== source) return;
    let last = { variants: this.s.variants, evals: this.s.evals, runs: this.s.runs, errors: this.s.layerErrors };
    this.unsubscribe = this.store.subscribe((st) => {
      const now = { variants: st.variants, evals: st.evals, runs: st.runs, errors: st.layerErrors };
      if (now.variants === last.variants && now.evals === last.evals && now.runs === last.runs && now.errors === last.errors) return;
      last = now;
      this.schedule();
    });
    this.schedule();
  }

  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.s.setSaving(true);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.save().finally(() => { if (!this.timer) this.s.setSaving(false); });
    }, 150);
  }

  private async save(): Promise<void> {
    const source = this.source;
    if (!source) return;
    const s = this.s;
    const variants: SavedWorkspace['variants'] = [];
    for (const v of s.variants) {
      let blob = this.blobs.get(v.id);
      // A variant re-made in place (same id) has new bytes: the cached blob is only good for its size.
      if (!blob || blob.size !== v.bytes) {
        const f = (await this.files(v.id))?.[0];
        if (!f) continue;
        blob = new Blob([f.bytes as BlobPart]);
        this.blobs.set(v.id, blob);
      }
      variants.push({ summary: v, bytes: blob });
    }
    if (this.source !== source) return;
    const { line, kept } = await saveWorkspace({ source, variants, evals: s.evals, runs: s.runs, layerErrors: s.layerErrors, savedAt: Date.now() });
    this.s.setStorage(line);
    if (kept) this.s.setRecent(kept);
  }

  async refreshRecent(): Promise<void> {
    this.s.setRecent(await listWorkspaces());
  }

  async forget(key: string): Promise<void> {
    this.s.setRecent(await forgetWorkspace(key));
  }

  /** The workspace of the model open last, if any (the caller opens its source). */
  saved(key?: string): Promise<SavedWorkspace | null> {
    return loadWorkspace(key);
  }

  private async restore(w: SavedWorkspace): Promise<void> {
    for (const v of w.variants) {
      const bytes = new Uint8Array(await v.bytes.arrayBuffer());
      if (!(await this.restoreVariant({ id: v.summary.id, fileName: v.summary.fileName, bytes, recipe: v.summary.recipe }))) continue;
      this.blobs.set(v.summary.id, v.bytes);
      this.s.upsertVariant(v.summary);
    }
    this.s.restoreCompare({ evals: w.evals, layerErrors: w.layerErrors });
    for (const r of w.runs) this.s.addRun(r);
  }

  dispose(): void {
    this.unsubscribe?.();
    if (this.timer) clearTimeout(this.timer);
  }
}
