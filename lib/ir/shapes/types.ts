/**
 * Contracts between the shape-inference engine (infer.ts) and the per-dialect op tables.
 * A rule is a small pure function: what it knows about the inputs -> what it can say about the
 * outputs. Rules never see tensors or the graph, so the tables stay data-like and testable.
 */
import type { AttrValue, DType, Dim, Graph, Node } from '../types';

/**
 * A value known at inference time (a constant, or folded from constants). Numbers, not bigints:
 * shape arithmetic stays far below 2^53, and INT64_MAX sentinels (Slice ends) only need to
 * compare as "very large", which the nearest double still does.
 */
export interface ConstValue {
  dtype: DType;
  shape: number[];
  values: number[];
}

export interface OpInput {
  name: string;
  dtype: DType;
  shape: Dim[] | null;
  value: ConstValue | null;
}

/** What a rule learned about one output; absent fields mean "nothing new". */
export interface OpOutput {
  dtype?: DType;
  shape?: Dim[] | null;
  value?: ConstValue | null;
}

export interface RuleContext {
  node: Node;
  /** Input i, or undefined when omitted ('' in the node) or absent. */
  inputs: Array<OpInput | undefined>;
  attrs: Record<string, AttrValue>;
  /** Opset of the node's domain (ONNX), 0 where the format has none. */
  opset: number;
  /** Number of outputs the node declares. */
  outputCount: number;
  /**
   * Infers a nested graph (ONNX If/Loop body) or a model subgraph (TFLite IF/WHILE) with the
   * given formal input facts. Its problems come back in `errors` for the rule to report or drop
   * (a branch the shapes rule out is not an error of the model). Undefined where unavailable.
   */
  subgraph?: (g: Graph | number, inputs: Array<OpInput | undefined>) => SubgraphResult | null;
  /** Adds problems (of a nested graph) to the report. */
  report?: (errors: SubgraphResult['errors']) => void;
}

export interface SubgraphResult {
  outputs: OpInput[];
  errors: Array<{ node: string; message: string }>;
}

export type OpRule = (c: RuleContext) => OpOutput[];
export type OpTable = Record<string, OpRule>;

/** A rule gave up for a reason worth reporting (inconsistent shapes, bad attributes). */
export class ShapeRuleError extends Error {}
