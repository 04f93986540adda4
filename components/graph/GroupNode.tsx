'use client';
import { Handle, Position, type NodeProps } from '@xyflow/react';
import { memo, useCallback, type MouseEvent } from 'react';
import { useGraphActions } from './context';
import type { GroupFlowNode } from './flow-types';

function GroupNodeView({ data, id }: NodeProps<GroupFlowNode>) {
  const v = data.v;
  const { toggleGroup } = useGraphActions();
  const collapse = useCallback((e: MouseEvent) => {
    e.stopPropagation();
    toggleGroup(id);
  }, [toggleGroup, id]);
  const count = `${v.childCount ?? 0} ops`;
  if (v.expanded) {
    return (
      <div className={`gv-frame${data.highlighted ? ' is-hit' : ''}${data.focused ? ' is-focus' : ''}`} data-testid="group-node" data-group={id} data-expanded="true">
        <div className="gv-frame-head">
          <button type="button" className="gv-toggle nodrag" onClick={collapse} aria-label={`Collapse ${v.label}`} title="Collapse">−</button>
          <span className="gv-frame-title" title={v.label}>{v.label}</span>
          <span className="gv-count">{count}</span>
        </div>
      </div>
    );
  }
  return (
    <div className={`gv-group${data.highlighted ? ' is-hit' : ''}${data.focused ? ' is-focus' : ''}`} data-testid="group-node" data-group={id} data-expanded="false" title={`${v.label}: ${count}, click to expand`}>
      <Handle type="target" position={Position.Top} isConnectable={false} className="gv-handle" />
      <span className="gv-toggle" aria-hidden="true">+</span>
      <div className="gv-group-text">
        <div className="gv-group-title">{v.label}</div>
        <div className="gv-count">{count}</div>
      </div>
      <Handle type="source" position={Position.Bottom} isConnectable={false} className="gv-handle" />
    </div>
  );
}

export const GroupNode = memo(GroupNodeView);
