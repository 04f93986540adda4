import type { Edge, Node } from '@xyflow/react';
import type { ViewNode } from '@/lib/graph-view/types';

export interface ViewNodeData extends Record<string, unknown> {
  v: ViewNode;
  selected?: boolean;
  highlighted?: boolean;
  /** The keyboard walk's current item (groups and graph inputs/outputs; ops show selection). */
  focused?: boolean;
}
export type OpFlowNode = Node<ViewNodeData, 'gvop'>;
export type GroupFlowNode = Node<ViewNodeData, 'scope'>;
export type IoFlowNode = Node<ViewNodeData, 'gvio'>;
export type FlowNode = OpFlowNode | GroupFlowNode | IoFlowNode;

export interface ShapeEdgeData extends Record<string, unknown> {
  label: string;
  /** Full shape text when the label shortened a symbolic dim. */
  title?: string;
  points?: Array<{ x: number; y: number }>;
  many: boolean;
}
export type ShapeFlowEdge = Edge<ShapeEdgeData, 'shape'>;
