'use client';
import { BaseEdge, getBezierPath, type EdgeProps } from '@xyflow/react';
import { memo } from 'react';
import type { ShapeFlowEdge } from './flow-types';

const LABEL_STYLE = { fontFamily: 'var(--gv-mono)', fontSize: 10, fill: '#4b5563' } as const;
const LABEL_BG = { fill: '#ffffff', fillOpacity: 0.92 } as const;
/** Advance of a 10 px monospace glyph: the label's box is known without measuring it. */
const CHAR_W = 6.02;

/**
 * The shape label on its own, sized from its length: React Flow's label measures every label
 * with getBBox after mounting (a forced layout per edge, and a second render), which was a
 * tenth of the main thread's time when a graph opens.
 */
function EdgeLabel({ x, y, text, title }: { x: number; y: number; text: string; title?: string }) {
  const w = text.length * CHAR_W + 6;
  return (
    <g transform={`translate(${x},${y})`} className="gv-edge-label">
      <rect x={-w / 2} y={-7} width={w} height={14} rx={3} style={LABEL_BG} />
      <text textAnchor="middle" dominantBaseline="central" style={LABEL_STYLE} data-testid={title ? 'edge-label-short' : undefined}>
        {title ? <title>{title}</title> : null}{text}
      </text>
    </g>
  );
}

/**
 * Draws through the layout's bend points (pairs at the top and bottom of each layer a long edge
 * crosses), so skip connections run beside the chain instead of through its nodes.
 */
function ShapeEdgeView({ sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition, data, markerEnd }: EdgeProps<ShapeFlowEdge>) {
  const pts = data?.points;
  let path: string, lx: number, ly: number;
  if (pts && pts.length >= 2) {
    const seq = [{ x: sourceX, y: sourceY }, ...pts, { x: targetX, y: targetY }];
    path = `M${sourceX},${sourceY}`;
    // Even steps bend between layers (curve with vertical tangents), odd steps run straight down a layer.
    for (let i = 1; i < seq.length; i++) {
      const a = seq[i - 1]!, b = seq[i]!;
      if (i % 2 === 1) {
        const dy = (b.y - a.y) / 2;
        path += ` C${a.x},${a.y + dy} ${b.x},${b.y - dy} ${b.x},${b.y}`;
      } else path += ` L${b.x},${b.y}`;
    }
    const mid = pts[Math.floor(pts.length / 2)]!;
    lx = mid.x;
    ly = mid.y;
  } else {
    [path, lx, ly] = getBezierPath({ sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition });
  }
  return (
    <>
      <BaseEdge path={path} markerEnd={markerEnd} className={data?.many ? 'gv-edge gv-edge-many' : 'gv-edge'} />
      {data?.label ? <EdgeLabel x={lx} y={ly} text={data.label} title={data.title} /> : null}
    </>
  );
}

export const ShapeEdge = memo(ShapeEdgeView);
