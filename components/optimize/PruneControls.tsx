'use client';

export interface PruneState {
  sparsity: number;
  scope: 'layer' | 'global';
  nm: boolean;
  structured: number;
  /** Comma-separated node names or /regex/. */
  exclude: string;
}

export function PruneControls({ value, onChange }: { value: PruneState; onChange(v: PruneState): void }) {
  const set = (patch: Partial<PruneState>) => onChange({ ...value, ...patch });
  return (
    <>
      <h3>Pruning</h3>
      <label>Zero weights <span className="mono" data-testid="prune-sparsity-value">{Math.round(value.sparsity * 100)}%</span>
        <input type="range" min={0} max={0.9} step={0.05} value={value.sparsity} data-testid="prune-sparsity" onChange={(e) => set({ sparsity: Number(e.target.value) })} />
      </label>
      {value.sparsity > 0 && (
        <label>Target
          <select value={value.scope} onChange={(e) => set({ scope: e.target.value as PruneState['scope'] })}>
            <option value="layer">each layer</option><option value="global">whole model (one threshold)</option>
          </select>
        </label>
      )}
      <label className="check"><input type="checkbox" checked={value.nm} onChange={(e) => set({ nm: e.target.checked })} data-testid="prune-24" /> 2:4 pattern</label>
      <label>Remove filters <span className="mono">{Math.round(value.structured * 100)}%</span>
        <input type="range" min={0} max={0.75} step={0.05} value={value.structured} data-testid="prune-structured" onChange={(e) => set({ structured: Number(e.target.value) })} />
      </label>
      {(value.sparsity > 0 || value.nm || value.structured > 0) && (
        <label>Leave out
          <input type="text" placeholder="node names or /regex/, comma-separated" value={value.exclude} onChange={(e) => set({ exclude: e.target.value })} />
        </label>
      )}
      {value.sparsity > 0 && <p className="muted small">Zeros shrink the file only compressed (gzip / zip); removing filters shrinks it and the compute.</p>}
    </>
  );
}
