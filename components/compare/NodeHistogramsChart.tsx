'use client';
import { useEffect, useState } from 'react';
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { useController } from '@/components/studio/StudioContext';
import type { Histogram, NodeHistograms } from '@/lib/compare/histograms';

function HistogramChart({ h, testId }: { h: Histogram; testId: string }) {
  const data = h.float.map((f, i) => ({ x: Number(((h.edges[i]! + h.edges[i + 1]!) / 2).toPrecision(3)), float: f, quantized: h.quantized[i]! }));
  return (
    <div className="compare-chart" data-testid={testId} data-bins={data.length}>
      <ResponsiveContainer width="100%" height={140}>
        <BarChart data={data} barGap={0} barCategoryGap={0} margin={{ top: 4, right: 6, bottom: 0, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="x" fontSize={9} minTickGap={16} />
          <YAxis fontSize={9} width={40} scale="sqrt" domain={[0, 'auto']} />
          <Tooltip />
          <Legend wrapperStyle={{ fontSize: 10 }} />
          <Bar dataKey="float" fill="#4f6bed" fillOpacity={0.55} isAnimationActive={false} />
          <Bar dataKey="quantized" fill="#dc2626" fillOpacity={0.55} isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}

/** Float vs quantized weights and output activation of the node selected in a variant's graph. */
export function NodeHistogramsChart({ variant, node }: { variant: string; node: string }) {
  const controller = useController();
  const [h, setH] = useState<NodeHistograms | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    let live = true;
    setH(null);
    setBusy(true);
    void controller.compare.histograms(variant, node).then((r) => { if (live) { setH(r); setBusy(false); } });
    return () => { live = false; };
  }, [controller, variant, node]);
  if (busy) return <p className="muted small">Measuring {node}…</p>;
  if (!h) return null;
  return (
    <div data-testid="node-histograms">
      <h3>{h.node} <span className="muted">{h.op.replace(/^\w+\./, '')}</span></h3>
      {h.weights ? (
        <>
          <p className="muted small">Weights {h.weights.tensor} ({h.weights.dtype}): {h.weights.distinct.toLocaleString()} distinct values after quantization.</p>
          <HistogramChart h={h.weights} testId="hist-weights" />
        </>
      ) : <p className="muted small">No weights of its own.</p>}
      {h.activations ? (
        <>
          <p className="muted small">Output {h.activations.tensor} on {h.activations.samples} samples.</p>
          <HistogramChart h={h.activations} testId="hist-activations" />
        </>
      ) : <p className="muted small">Its output has no float counterpart to compare.</p>}
    </div>
  );
}
