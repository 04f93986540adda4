'use client';
import type { StudioStore } from '@/lib/store/studio-store';
import type { Recipe } from '@/lib/transforms/types';
import type { ModelSource } from './controller';
import { loadWorkspace, saveWorkspace, type SavedWorkspace } from './persistence';

type Files = Array<{ name: string; bytes: Uint8Array }>;

/**
 * Follows the store and keeps the workspace in IndexedDB (debounced), and puts a saved one back
 * after a reload: the model opens again, its variants come back from their stored bytes.
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

  /** A model opened: from now on its workspace is the one kept. */
  opened(source: ModelSource): void {
    this.source = source;
    this.blobs.clear();
    this.unsubscribe?.();
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
    const line = await saveWorkspace({ source, variants, evals: s.evals, runs: s.runs, layerErrors: s.layerErrors, savedAt: Date.now() });
    this.s.setStorage(line);
  }

  /** The saved workspace, if any (its source is opened by the caller, then `restore` refills it). */
  saved(): Promise<SavedWorkspace | null> {
    return loadWorkspace();
  }

  async restore(w: SavedWorkspace): Promise<void> {
    for (const v of w.variants) {
      const bytes = new Uint8Array(await v.bytes.arrayBuffer());
      if (!(await this.restoreVariant({ id: v.summary.id, fileName: v.summary.fileName, bytes, recipe: v.summary.recipe }))) continue;
      this.blobs.set(v.summary.id, v.bytes);
      this.s.upsertVariant(v.summary);
    }
    this.s.restoreCompare({ evals: w.evals, layerErrors: w.layerErrors });
    for (const r of w.runs) this.s.addRun(r);
    this.schedule();
  }

  dispose(): void {
    this.unsubscribe?.();
    if (this.timer) clearTimeout(this.timer);
  }
}
