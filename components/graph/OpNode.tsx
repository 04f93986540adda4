'use client';
import { Handle, Position, type NodeProps } from '@xyflow/react';
import { memo } from 'react';
import type { OpFlowNode } from './flow-types';

function OpNodeView({ data }: NodeProps<OpFlowNode>) {
  const v = data.v;
  const cls = `gv-op gv-cat-${v.category ?? 'other'}${v.tone ? ` gv-tone-${v.tone}` : ''}${data.selected ? ' is-selected' : ''}${data.highlighted ? ' is-hit' : ''}`;
  return (
    <div className={cls} data-testid="op-node" data-name={v.name} title={`${v.name}\n${v.op}${v.custom ? '\ncustom op' : ''}`}>
      <Handle type="target" position={Position.Top} isConnectable={false} className="gv-handle" />
      <div className="gv-op-type">{v.label}{v.custom ? <span className="gv-badge">custom</span> : null}</div>
      {v.detail ? <div className="gv-op-detail">{v.detail}</div> : null}
      {v.weights ? <div className="gv-op-weights" data-testid="op-weights">{v.weights}</div> : null}
      {v.badge ? <div className="gv-op-note" data-testid="op-note">{v.badge}</div> : null}
      <Handle type="source" position={Position.Bottom} isConnectable={false} className="gv-handle" />
    </div>
  );
}

export const OpNode = memo(OpNodeView);
