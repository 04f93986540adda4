/**
 * int64 and bool graph inputs/outputs -> int32, for LiteRT.js, whose host API has only float32,
 * int32 and uint8 tensors (an int64 or bool model input fails in loadAndCompile). Each such input
 * X becomes an int32 input X followed by CAST into the original tensor (renamed X/int64 or
 * X/bool); each output Y is CAST to an int32 Y after it. The host converts values: int64 ->
 * int32 only when every value fits (else it says so), bool <-> 0/1.
 */
import type { DType, Graph, Model, Node } from '../../../ir/types';

export interface CastIoRewrite {
  model: Model;
  /** Graph 0 I/O names now int32 that were int64 or bool, with the dtype the host sees. */
  cast: Map<string, 'int64' | 'bool'>;
}

const BRIDGED: ReadonlySet<DType> = new Set(['int64', 'bool']);
const TYPE = { int64: 'INT64', bool: 'BOOL', int32: 'INT32' } as const;

function uniqueName(graph: Graph, wanted: string): string {
  let name = wanted;
  for (let k = 1; graph.tensors.has(name); k++) name = `${wanted}_${k}`;
  return name;
}

function castNode(name: string, from: keyof typeof TYPE, to: keyof typeof TYPE, input: string, output: string): Node {
  return { name, op: 'tfl.CAST', inputs: [input], outputs: [output], attrs: { in_data_type: { kind: 'string', value: TYPE[from] }, out_data_type: { kind: 'string', value: TYPE[to] } } };
}

/** A copy of `model` with graph 0's int64 / bool inputs and outputs as int32 (the model is not modified). */
export function castIoToInt32(model: Model): CastIoRewrite {
  const cast = new Map<string, 'int64' | 'bool'>();
  const g0 = model.graphs[0];
  if (!g0) return { model, cast };
  const ins = g0.inputs.filter((n) => BRIDGED.has(g0.tensors.get(n)?.dtype ?? 'unknown'));
  const outs = g0.outputs.filter((n) => BRIDGED.has(g0.tensors.get(n)?.dtype ?? 'unknown') && !ins.includes(n));
  if (ins.length === 0 && outs.length === 0) return { model, cast };
  const tensors = new Map(g0.tensors);
  const g: Graph = { ...g0, tensors, nodes: g0.nodes.map((n) => ({ ...n, inputs: [...n.inputs], outputs: [...n.outputs] })) };
  const head: Node[] = [], tail: Node[] = [];
  const inner = (name: string) => {
    const t = g0.tensors.get(name)!;
    const dtype = t.dtype as 'int64' | 'bool';
    const renamed = uniqueName(g, `${name}/${dtype}`);
    tensors.set(renamed, { ...t, name: renamed });
    tensors.set(name, { name, dtype: 'int32', shape: t.shape });
    cast.set(name, dtype);
    return { renamed, dtype };
  };
  for (const name of ins) {
    const { renamed, dtype } = inner(name);
    // An input that is also an output stays the (int32) input on the output side.
    for (const n of g.nodes) n.inputs = n.inputs.map((x) => (x === name ? renamed : x));
    head.push(castNode(renamed, 'int32', dtype, name, renamed));
  }
  for (const name of outs) {
    const { renamed, dtype } = inner(name);
    for (const n of g.nodes) {
      n.inputs = n.inputs.map((x) => (x === name ? renamed : x));
      n.outputs = n.outputs.map((x) => (x === name ? renamed : x));
    }
    tail.push(castNode(name, dtype, 'int32', renamed, name));
  }
  g.nodes = [...head, ...g.nodes, ...tail];
  return { model: { ...model, graphs: [g, ...model.graphs.slice(1)] }, cast };
}

/** Host int64 / bool data as the int32 LiteRT.js takes (int64 must fit). */
export function toInt32(name: string, data: ArrayLike<number | bigint>, dtype: 'int64' | 'bool'): Int32Array {
  const out = new Int32Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (dtype === 'bool') out[i] = v ? 1 : 0;
    else {
      const n = Number(v);
      if (n > 2147483647 || n < -2147483648) throw new Error(`input '${name}': int64 value ${v} does not fit the int32 LiteRT.js passes`);
      out[i] = n;
    }
  }
  return out;
}

export function fromInt32(data: Int32Array, dtype: 'int64' | 'bool'): BigInt64Array | Uint8Array {
  if (dtype === 'bool') return Uint8Array.from(data, (v) => (v ? 1 : 0));
  return BigInt64Array.from(data, (v) => BigInt(v));
}
