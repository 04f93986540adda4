'use client';
import { useController, useStudio } from '@/components/studio/StudioContext';
import { FORMAT_LABEL, fmtBytes, fmtCount, fmtShape, fmtShapeFull } from './format';
import type { IoSummary } from '@/lib/ir/summary';

function IoList({ title, items, onPick }: { title: string; items: IoSummary[]; onPick(name: string): void }) {
  return (
    <>
      <h3>{title}</h3>
      <ul className="io-list">
        {items.map((t) => (
          <li key={t.name}>
            <button type="button" className="link" onClick={() => onPick(t.name)}>{t.name}</button>
            <span className="mono" title={fmtShapeFull(t.shape)}>{t.dtype} {fmtShape(t.shape)}</span>
          </li>
        ))}
      </ul>
    </>
  );
}

export function SummaryPanel() {
  const model = useStudio((s) => s.model);
  const graphIndex = useStudio((s) => s.graphIndex);
  const controller = useController();
  if (!model) return <div className="panel empty">No model open. Drop a file anywhere.</div>;
  const s = model.summary;
  const producer = s.metadata.producer ?? s.metadata.generatedBy ?? s.metadata.convertedBy;
  const opset = Object.entries(s.opsets).map(([d, v]) => `${d || 'ai.onnx'} ${v}`).join(', ');
  return (
    <div className="panel summary" data-testid="summary">
      <h2 title={s.name}>{s.name}</h2>
      <dl>
        <dt>Format</dt><dd data-testid="summary-format">{FORMAT_LABEL[s.format] ?? s.format}</dd>
        {producer && (<><dt>Producer</dt><dd>{producer}{s.metadata.producerVersion ? ` ${s.metadata.producerVersion}` : ''}</dd></>)}
        {opset && (<><dt>{s.format === 'tflite' ? 'Schema' : 'Opset'}</dt><dd>{opset}</dd></>)}
        <dt>Operators</dt><dd data-testid="summary-nodes">{s.nodeCount}</dd>
        <dt>Parameters</dt><dd title={String(s.parameters)} data-testid="summary-parameters">{fmtCount(s.parameters)}</dd>
        <dt>Size</dt><dd>{fmtBytes(s.bytes)}{s.files.length > 1 ? ` in ${s.files.length} files` : ''}</dd>
        <dt>Opened in</dt><dd>{model.parseMs.toFixed(0)} ms</dd>
      </dl>
      {model.graphs.length > 1 && (
        <label className="graph-pick">
          Graph{' '}
          <select value={graphIndex} onChange={(e) => void controller.setGraph(Number(e.target.value))} data-testid="graph-select">
            {model.graphs.map((g) => (
              <option key={g.index} value={g.index}>{g.index === 0 ? 'main' : g.name} ({g.nodes} ops{g.origin !== 'main' ? `, ${g.origin}` : ''})</option>
            ))}
          </select>
        </label>
      )}
      {s.customOps.length > 0 && <p className="warn">Custom ops: {s.customOps.join(', ')}</p>}
      <IoList title="Inputs" items={s.inputs} onPick={(n) => void controller.selectTensor(n)} />
      <IoList title="Outputs" items={s.outputs} onPick={(n) => void controller.selectTensor(n)} />
      <h3>Ops</h3>
      <table className="ops" data-testid="op-histogram">
        <tbody>
          {Object.entries(s.ops).map(([op, n]) => (
            <tr key={op}>
              <td className="mono">{op}</td>
              <td className="num">{n}</td>
              <td className="bar"><span style={{ width: `${(100 * n) / Math.max(...Object.values(s.ops))}%` }} /></td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
