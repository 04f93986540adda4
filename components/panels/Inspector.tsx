'use client';
import { useController, useStudio } from '@/components/studio/StudioContext';
import type { TensorDetails } from '@/lib/ir/details';
import { fmtNum } from '@/lib/ir/details';
import { fmtShape, fmtShapeFull } from './format';
import { Histogram } from './Histogram';
import { InputShapeEditor } from '@/components/convert/InputShapeEditor';

function TensorCard({ t, onPick }: { t: TensorDetails; onPick?: (name: string) => void }) {
  if (t.omitted) return <li className="tensor omitted">(optional input omitted)</li>;
  return (
    <li className="tensor" data-testid="tensor">
      <div className="tensor-head">
        {onPick && !t.constant ? (
          <button type="button" className="link" onClick={() => onPick(t.name)}>{t.name}</button>
        ) : (
          <span className="tensor-name">{t.name}</span>
        )}
        {t.constant && <span className="tag">weight</span>}
      </div>
      <div className="mono" title={fmtShapeFull(t.shape)} data-testid="tensor-shape">{t.dtype} {fmtShape(t.shape)}</div>
      {t.heldBy && <div className="note" data-testid="held-by">held by {t.heldBy.op.replace(/^[a-z]+\./, '')} node {t.heldBy.node}</div>}
      {t.storage && <div className="note">stored as {t.storage.detail}</div>}
      {t.quant && (
        <div className="quant mono" data-testid="quant">
          scale {t.quant.channels > 1 ? `[${t.quant.scale.map(fmtNum).join(', ')}${t.quant.channels > t.quant.scale.length ? ', …' : ''}] (${t.quant.channels} channels, axis ${t.quant.axis ?? '?'})` : fmtNum(t.quant.scale[0]!)}
          {' '}zero point {t.quant.channels > 1 ? `[${t.quant.zeroPoint.join(', ')}${t.quant.channels > t.quant.zeroPoint.length ? ', …' : ''}]` : t.quant.zeroPoint[0]}
        </div>
      )}
      {t.sparsity && <div className="note">sparse (traversal order {t.sparsity.traversalOrder.join(',')})</div>}
      {t.stats && (
        <div className="stats" data-testid="weight-stats">
          <dl className="grid">
            <dt>min</dt><dd>{fmtNum(t.stats.min)}</dd>
            <dt>max</dt><dd>{fmtNum(t.stats.max)}</dd>
            <dt>mean</dt><dd>{fmtNum(t.stats.mean)}</dd>
            <dt>std</dt><dd>{fmtNum(t.stats.std)}</dd>
            <dt>zeros</dt><dd>{(t.stats.zeros * 100).toFixed(1)}%</dd>
            <dt>values</dt><dd>{t.stats.count}{t.stats.dequantized ? ' (dequantized)' : ''}</dd>
          </dl>
          {t.stats.nonFinite > 0 && <div className="warn">{t.stats.nonFinite} NaN/Inf values</div>}
          <Histogram bins={t.stats.histogram} />
        </div>
      )}
    </li>
  );
}

export function Inspector() {
  const details = useStudio((s) => s.details);
  const selected = useStudio((s) => s.selected);
  const controller = useController();
  const inputs = useStudio((s) => s.model?.summary.inputs);
  const pickTensor = (n: string) => void controller.selectTensor(n);
  if (!selected) return <div className="panel inspector empty">Click a node to inspect it.</div>;
  if (!details) return <div className="panel inspector empty">Loading {selected.name}…</div>;
  if (details.kind === 'tensor') {
    const isInput = inputs?.some((i) => i.name === details.tensor.name);
    return (
      <div className="panel inspector" data-testid="inspector">
        <h2>{isInput ? 'Graph input' : 'Tensor'}</h2>
        <ul className="tensors"><TensorCard t={details.tensor} /></ul>
        {isInput && <InputShapeEditor key={details.tensor.name} name={details.tensor.name} shape={details.tensor.shape} />}
      </div>
    );
  }
  const n = details.node;
  return (
    <div className="panel inspector" data-testid="inspector">
      <h2 data-testid="inspector-op">{n.type}</h2>
      <div className="node-name" title={n.name}>{n.name}</div>
      <div className="muted mono">{n.op}{n.domain ? ` (${n.domain})` : ''}{n.version ? ` v${n.version}` : ''}</div>
      {n.custom && <p className="warn">Custom op: runtimes need a matching kernel.</p>}
      {n.attrs.length > 0 && (
        <>
          <h3>Attributes</h3>
          <table className="attrs">
            <tbody>
              {n.attrs.map((a) => (
                <tr key={a.name}><td>{a.name}</td><td className="mono">{a.text}</td></tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      <h3>Inputs</h3>
      <ul className="tensors">{n.inputs.map((t, i) => <TensorCard key={i} t={t} onPick={pickTensor} />)}</ul>
      <h3>Outputs</h3>
      <ul className="tensors">{n.outputs.map((t, i) => <TensorCard key={i} t={t} onPick={pickTensor} />)}</ul>
      {n.doc && <p className="muted">{n.doc}</p>}
    </div>
  );
}
