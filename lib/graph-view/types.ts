/**
 * What the graph canvas draws: plain, serialisable data derived from the IR by `computeView`
 * (in the model worker) and turned into React Flow nodes by components/graph.
 *
 * Ids are prefixed so ops, groups and graph inputs/outputs can never collide:
 * `n:<node name>`, `g:<scope path>`, `i:<tensor>`, `o:<tensor>`.
 */

export type OpCategory =
  | 'conv' | 'matmul' | 'activation' | 'pooling' | 'norm' | 'shape' | 'elementwise'
  | 'quant' | 'control' | 'reduce' | 'constant' | 'custom' | 'other';

export interface ViewNode {
  id: string;
  kind: 'op' | 'group' | 'input' | 'output';
  /** Op type without dialect prefix (ops), scope name (groups), tensor name (inputs/outputs). */
  label: string;
  /** Full IR op, e.g. `onnx.Conv` (ops only). */
  op?: string;
  /** IR node name (ops only): what `onSelectNode` receives. */
  name?: string;
  /** 1-2 key attributes, e.g. '3x3 /2 SAME', 'axis=1'. */
  detail?: string;
  /** Colour class for ops. */
  category?: OpCategory;
  /** Groups: ops inside, recursively. */
  childCount?: number;
  /** Groups: true when drawn as a frame around its children. */
  expanded?: boolean;
  custom?: boolean;
  /** Ops: shapes of the constant inputs (weights, folded Constant nodes), e.g. '64x3x7x7 · 64'. */
  weights?: string;
  /** Ops: a short note drawn on the node, e.g. 'int8', '50% zeros'. */
  badge?: string;
  /** Ops: how the node computes, for quantized or mixed-precision graphs. */
  tone?: 'int8' | 'int16' | 'float' | 'convert' | 'heat-bad' | 'heat-mid' | 'heat-good';
  /**
   * Top-left corner. Relative to the parent frame when `parentId` is set (React Flow sub-flow
   * convention), absolute otherwise.
   */
  x: number;
  y: number;
  width: number;
  height: number;
  /** The expanded group whose frame contains this item. */
  parentId?: string;
}

export interface ViewEdge {
  id: string;
  source: string;
  target: string;
  /** Shape like '1x32x28x28', '?' when unknown, or 'N tensors' for an aggregated edge. */
  label: string;
  /** The full shape text when `label` shortened it (long symbolic dims), for the hover. */
  title?: string;
  /** Name of the (first) tensor carried. */
  tensor: string;
  dtype?: string;
  /** Number of distinct tensors this edge stands for. */
  count?: number;
  /** Absolute bend points from the layered layout (long edges), source to target order. */
  points?: Array<{ x: number; y: number }>;
}

export interface GraphView {
  nodes: ViewNode[];
  edges: ViewEdge[];
  width: number;
  height: number;
  totalOps: number;
  /** Ops drawn as their own node (not hidden inside a collapsed group). */
  visibleOps: number;
  /** Constant-holding nodes (ONNX Constant, DEQUANTIZE of a weight) in the graph, drawn or folded. */
  constantNodes: number;
  /** Whether this view draws them as nodes. */
  showConstants: boolean;
}

export interface SearchHit {
  nodeName: string;
  op: string;
  match: 'node' | 'tensor';
  tensor?: string;
  /** Group ids (outermost first) to expand so the node is visible. */
  groupPath: string[];
}
