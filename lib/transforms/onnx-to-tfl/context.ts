/** What a lowering rule sees: the ONNX node, its inputs' static facts, and the output builder. */
import type { AttrValue, DType, Graph, Node, Tensor } from '../../ir/types';
import type { Builder } from './builder';
import { numbers } from './nd';

/** A rule's way to say "this node cannot be converted", with the reason for the report. */
export class Unsupported extends Error {}

export type Rule = (c: LowerCtx) => void;

export class LowerCtx {
  node!: Node;

  constructor(
    readonly b: Builder,
    readonly src: Graph,
    readonly opset: number,
    /** ONNX tensor name -> the tfl tensor holding its value (same name unless aliased). */
    readonly values: Map<string, string>,
  ) {}

  attr(key: string): AttrValue | undefined {
    return this.node.attrs[key];
  }

  int(key: string, def: number): number {
    const a = this.node.attrs[key];
    return a && (a.kind === 'int' || a.kind === 'float') ? a.value : def;
  }

  float(key: string, def: number): number {
    const a = this.node.attrs[key];
    return a && (a.kind === 'float' || a.kind === 'int') ? a.value : def;
  }

  ints(key: string): number[] | null {
    const a = this.node.attrs[key];
    if (a?.kind === 'ints') return a.value;
    if (a?.kind === 'int') return [a.value];
    return null;
  }

  string(key: string, def: string): string {
    const a = this.node.attrs[key];
    return a?.kind === 'string' ? a.value : def;
  }

  tensor(name: string): Tensor {
    const t = this.src.tensors.get(name);
    if (!t) throw new Unsupported(`tensor ${name} is not described in the graph`);
    return t;
  }

  /** Static shape of an ONNX tensor; conversion needs every shape known. */
  shape(name: string): number[] {
    const s = this.tensor(name).shape;
    if (!s || !s.every((d) => typeof d === 'number')) {
      throw new Unsupported(`shape of ${name} is not static (fix the input shapes first)`);
    }
    return s as number[];
  }

  dtype(name: string): DType {
    return this.tensor(name).dtype;
  }

  /** The constant tensor behind an input, or null when it is computed at run time. */
  constant(name: string | undefined): Tensor | null {
    if (!name) return null;
    const t = this.src.tensors.get(name);
    return t?.data ? t : null;
  }

  constNumbers(name: string | undefined): number[] | null {
    const t = this.constant(name);
    return t ? numbers(t) : null;
  }

  /** The tfl tensor for an ONNX input (constants are copied over by reference, once). */
  v(name: string): string {
    const mapped = this.values.get(name);
    if (mapped) return mapped;
    const t = this.tensor(name);
    if (!t.data) throw new Unsupported(`input ${name} is computed by a node that was not converted`);
    this.shape(name);
    this.b.put(t);
    this.values.set(name, name);
    return name;
  }

  /** Declares ONNX output i as a tfl tensor of the same name, dtype and static shape. */
  out(i = 0): string {
    const name = this.node.outputs[i]!;
    const t = this.tensor(name);
    this.b.put({ name, dtype: t.dtype, shape: this.shape(name) });
    this.values.set(name, name);
    return name;
  }

  alias(onnxName: string, tflName: string): void {
    this.values.set(onnxName, tflName);
  }

  /** An NCHW input (rank 4) as an NHWC tfl tensor, through an explicit TRANSPOSE. */
  nhwc(name: string): string {
    return this.b.transpose(this.v(name), [0, 2, 3, 1]);
  }

  /** Writes the ONNX output from an NHWC result through the inverse TRANSPOSE. */
  fromNhwc(y: string, i = 0): void {
    this.b.transpose(y, [0, 3, 1, 2], this.out(i));
  }
}
