'use client';
import { Handle, Position, type NodeProps } from '@xyflow/react';
import { memo } from 'react';
import type { IoFlowNode } from './flow-types';

function IoNodeView({ data }: NodeProps<IoFlowNode>) {
  const v = data.v;
  const input = v.kind === 'input';
  return (
    <div className={`gv-io ${input ? 'gv-input' : 'gv-output'}${data.highlighted ? ' is-hit' : ''}${data.focused ? ' is-focus' : ''}`} data-testid={input ? 'input-node' : 'output-node'} data-name={v.label} title={`${input ? 'Graph input' : 'Graph output'}: ${v.label}`}>
      {input ? null : <Handle type="target" position={Position.Top} isConnectable={false} className="gv-handle" />}
      <span className="gv-io-kind">{input ? 'in' : 'out'}</span>
      <span className="gv-io-name">{v.label}</span>
      {input ? <Handle type="source" position={Position.Bottom} isConnectable={false} className="gv-handle" /> : null}
    </div>
  );
}

export const IoNode = memo(IoNodeView);
