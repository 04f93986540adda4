/** Small graph helpers shared by the pruning passes. */
import type { AttrValue, Graph, Node, Tensor } from '../ir/types';
import { constFromTensor } from '../ir/shapes/consts';

/** A layer left as it was, and why (PruneReport.skipped). */
export interface Skip { node: string; reason: string }

export function attrNumber(node: Node, name: string): number | undefined {
  const a: AttrValue | undefined = node.attrs[name];
  if (!a) return undefined;
  if (a.kind === 'int' || a.kind === 'float') return a.value;
  if (a.kind === 'bool') return a.value ? 1 : 0;
  return undefined;
}

export function attrInts(node: Node, name: string): number[] | undefined {
  const a = node.attrs[name];
  if (a?.kind === 'ints') return a.value;
  if (a?.kind === 'int') return [a.value];
  return undefined;
}

/** How many times each tensor is read (node inputs and graph outputs). */
export function useCounts(g: Graph): Map<string, number> {
  const uses = new Map<string, number>();
  const add = (n: string) => n && uses.set(n, (uses.get(n) ?? 0) + 1);
  for (const node of g.nodes) node.inputs.forEach(add);
  g.outputs.forEach(add);
  return uses;
}

export function producers(g: Graph): Map<string, Node> {
  const map = new Map<string, Node>();
  for (const n of g.nodes) for (const o of n.outputs) if (o) map.set(o, n);
  return map;
}

/** The constant behind a tensor: itself, or the input of a look-through op (TFLite DEQUANTIZE). */
export function constBehind(g: Graph, name: string, lookThrough: string[], made: Map<string, Node>): { name: string; via?: string } | undefined {
  const t = g.tensors.get(name);
  if (t?.data && t.isConstant !== false) return { name };
  const p = made.get(name);
  if (!p || !lookThrough.includes(p.op) || p.inputs.length !== 1) return undefined;
  const src = g.tensors.get(p.inputs[0]!);
  return src?.data ? { name: src.name, via: name } : undefined;
}

/** Small integer constant values (shapes, pads, axes), or null. */
export function constInts(t: Tensor | undefined): number[] | null {
  if (!t || !/^u?int/.test(t.dtype)) return null;
  return constFromTensor(t)?.values ?? null;
}

/** The same constant with new integer values (same dtype, same shape). */
export function withInts(t: Tensor, values: number[]): Tensor {
  if (t.dtype !== 'int64' && t.dtype !== 'int32') throw new Error(`${t.name}: ${t.dtype} shape constants are not rewritten`);
  const data = t.dtype === 'int64'
    ? new Uint8Array(BigInt64Array.from(values.map(BigInt)).buffer)
    : new Uint8Array(Int32Array.from(values).buffer);
  return { ...t, data };
}

/** `exclude` entries: node names, or '/regex/flags'. */
export function matcher(patterns: string[] = []): (name: string) => boolean {
  const tests = patterns.map((p) => {
    const m = /^\/(.*)\/([a-z]*)$/.exec(p);
    if (m) {
      const re = new RegExp(m[1]!, m[2]);
      return (n: string) => re.test(n);
    }
    return (n: string) => n === p;
  });
  return (name) => tests.some((t) => t(name));
}

export function normAxis(axis: number, rank: number): number {
  return axis < 0 ? axis + rank : axis;
}

export function staticShape(t: Tensor | undefined): number[] | null {
  if (!t?.shape || !t.shape.every((d): d is number => typeof d === 'number')) return null;
  return t.shape;
}
