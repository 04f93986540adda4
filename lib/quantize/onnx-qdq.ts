/**
 * Static QDQ quantization of an `onnx` graph, the format onnxruntime's own quantizer writes
 * (quantize_static, QuantFormat.QDQ): every activation a quantized op reads or writes passes
 * QuantizeLinear -> DequantizeLinear; weights are int8 initializers behind DequantizeLinear
 * (per output channel for Conv, opset >= 13); biases int32 at input scale x weight scale. Relu
 * (and Clip at 0..6) right after a quantized producer is removed and its range given to the
 * producer's output, as onnxruntime's quantizer does: clamping at the zero point is the ReLU.
 * onnxruntime's graph optimizer then fuses DQ -> op -> Q into its int8 kernels (QLinearConv,
 * QLinearMatMul, QGemm, QLinearAdd...).
 */
import type { AttrValue, Graph, Model, Node, Quantization, Tensor } from '../ir/types';
import { floats32 } from './graph-edit';
import { activationParams, quantizeBias, quantizePerChannel } from './params';
import type { QuantizeReport, QuantizedNode, Range } from './types';
import { constantBytes } from './graph-edit';
import { foldBatchNorms } from '../transforms/onnx-to-tfl/fold';

export const ONNX_QDQ = 'onnx-qdq';

export interface OnnxQdqOptions {
  ranges: Record<string, Range>;
  /**
   * Activation type: uint8 (default) or int8. uint8 activations with int8 weights (U8S8) are
   * onnxruntime's fast path on x86 and wasm: on the Fashion-MNIST sample, onnxruntime-web ran
   * the int8-activation QDQ model 3.5x slower than the uint8 one.
   */
  activations?: 'int8' | 'uint8';
  perTensor?: boolean;
  /** Node names or /regex/ to keep float. */
  keepFloat?: string[];
  calibration?: string;
}

export interface OnnxQdqReport extends QuantizeReport {
  /** Relu / Clip nodes folded into the quantized op before them. */
  removedActivations: number;
}

interface OpInfo {
  data?: number[];
  /** Output shares input 0's parameters, so onnxruntime can drop the Q/DQ around it (int8 MaxPool, Reshape...). */
  same?: boolean;
  /** Weight input and its output-channel axis (a function of the node's attributes). */
  weight?: { input: number; axis: (n: Node) => number; perChannel?: boolean };
  bias?: number;
}

const attrInt = (n: Node, k: string, d: number): number => { const a = n.attrs[k]; return a?.kind === 'int' ? a.value : d; };

/** onnxruntime's QDQ node groups (onnxruntime/core/optimizer/qdq_transformer/selectors_actions). */
const OPS: Record<string, OpInfo> = {
  Conv: { weight: { input: 1, axis: () => 0, perChannel: true }, bias: 2 },
  Gemm: { weight: { input: 1, axis: (n) => (attrInt(n, 'transB', 0) ? 0 : 1) }, bias: 2 },
  MatMul: { data: [0, 1] },
  Add: { data: [0, 1] },
  Mul: { data: [0, 1] },
  MaxPool: { same: true }, AveragePool: {}, GlobalAveragePool: {},
  Reshape: { same: true }, Flatten: { same: true }, Transpose: { same: true }, Squeeze: { same: true }, Unsqueeze: { same: true }, Resize: { same: true },
  Concat: { data: [] },
  Sigmoid: {}, Softmax: {}, LeakyRelu: {},
};
const REMOVABLE = new Set(['Relu', 'Clip']);

const isConst = (t: Tensor | undefined): boolean => !!t && (!!t.data || !!t.isConstant);

function matcher(patterns: string[] = []): (name: string) => boolean {
  const tests = patterns.map((p) => { const m = /^\/(.*)\/([a-z]*)$/s.exec(p); return m ? ((s: string) => new RegExp(m[1]!, m[2]).test(s)) : (s: string) => s === p; });
  return (name) => tests.some((t) => t(name));
}

const bytes = (a: ArrayBufferView): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

export function onnxQdq(model: Model, options: OnnxQdqOptions): { model: Model; report: OnnxQdqReport } {
  if (model.dialect !== 'onnx') throw new Error(`QDQ quantization works on ONNX models; this one is in the ${model.dialect} dialect`);
  const opset = model.opsets[''] ?? 1;
  if (opset < 10) throw new Error(`QDQ quantization needs ai.onnx opset >= 10 (QuantizeLinear); the model has opset ${opset}`);
  // BatchNormalization after Conv folds into the conv first (onnxruntime's quant_pre_process does
  // the same), so the conv quantizes with the folded weights and fuses with what follows.
  const { graph: g, folded: foldedBn } = foldBatchNorms(model.graphs[0]!);
  const keep = matcher(options.keepFloat);
  const u8 = options.activations !== 'int8';
  const perChannelOk = opset >= 13 && !options.perTensor;
  const report: OnnxQdqReport = {
    converted: true, unsupported: [], notes: [], mode: 'int8', nodes: [], counts: { float: 0, int8: 0, int16: 0 },
    conversions: 0, saturatedBiases: 0, weightBytes: { before: constantBytes(model.graphs[0]!), after: 0 }, removedActivations: 0,
  };
  const floatNodes: QuantizedNode[] = [];
  if (foldedBn) report.notes.push(`${foldedBn} BatchNormalization node(s) folded into their Conv`);
  if (!options.perTensor && opset < 13) report.notes.push(`opset ${opset} < 13 has no per-axis DequantizeLinear: Conv weights are per tensor`);

  const tensors = new Map(g.tensors);
  const taken = new Set([...g.tensors.keys(), ...g.nodes.map((n) => n.name)]);
  const unique = (base: string) => { let s = base; for (let k = 1; taken.has(s); k++) s = `${base}_${k}`; taken.add(s); return s; };
  const consumers = new Map<string, Node[]>();
  for (const n of g.nodes) for (const x of n.inputs) if (x) consumers.set(x, [...(consumers.get(x) ?? []), n]);
  const producer = new Map<string, Node>();
  for (const n of g.nodes) for (const o of n.outputs) producer.set(o, n);

  // Which nodes quantize, and which activations after them fold away.
  const quantized = new Set<Node>();
  for (const n of g.nodes) {
    const op = n.op.slice(5);
    const info = OPS[op];
    const why = !n.op.startsWith('onnx.') || n.domain ? 'not an ai.onnx op' : !info ? `${op} has no QDQ kernel in onnxruntime` : keep(n.name) ? 'kept float (your choice)'
      : info.weight && !isConst(g.tensors.get(n.inputs[info.weight.input] ?? '')) ? 'weights are not constant'
      : n.outputs.some((o) => !options.ranges[o]) ? 'no calibration range for its output' : null;
    if (why) { if (!REMOVABLE.has(op)) floatNodes.push({ node: n.name, op: n.op, precision: 'float', reason: why }); continue; }
    quantized.add(n);
  }
  const folded = new Map<string, string>(); // activation output -> producer output it replaces
  const removed = new Set<Node>();
  for (const n of g.nodes) {
    const op = n.op.slice(5);
    if (!REMOVABLE.has(op)) continue;
    const src = producer.get(n.inputs[0] ?? '');
    const clip = op === 'Clip' ? clipBounds(n, g) : [0, Infinity];
    if (!src || !quantized.has(src) || (consumers.get(n.inputs[0]!)?.length ?? 0) !== 1 || g.outputs.includes(n.inputs[0]!) || clip[0] !== 0) {
      floatNodes.push({ node: n.name, op: n.op, precision: 'float', reason: 'not right after a quantized op' });
      continue;
    }
    const r = options.ranges[n.outputs[0]!];
    if (!r || (Number.isFinite(clip[1]) && r[1] > clip[1]! + 1e-6)) { floatNodes.push({ node: n.name, op: n.op, precision: 'float', reason: 'its range is not the clip range' }); continue; }
    removed.add(n);
    folded.set(n.outputs[0]!, n.inputs[0]!);
    report.removedActivations++;
  }
  // A removed activation's output name is what consumers read; the producer now writes it.
  const alias = (name: string) => folded.get(name) ?? name;
  const rangeOf = (name: string): Range | undefined => {
    for (const [out, src] of folded) if (src === name) return options.ranges[out];
    return options.ranges[name];
  };

  const qparams = new Map<string, Quantization>();
  const paramsOf = (name: string): Quantization => {
    let q = qparams.get(name);
    const p = producer.get(name);
    if (!q && p && quantized.has(p) && OPS[p.op.slice(5)]?.same && p.inputs[0]) {
      q = paramsOf(alias(p.inputs[0]));
      qparams.set(name, q);
    }
    if (!q) {
      const r = rangeOf(name);
      if (!r) throw new Error(`QDQ: no calibration range for ${name}`);
      q = activationParams(r[0], r[1], 'int8');
      if (u8) q = { ...q, zeroPoint: [q.zeroPoint[0]! + 128] };
      qparams.set(name, q);
    }
    return q;
  };

  const nodes: Node[] = [];
  const dq = new Map<string, string>(); // float activation -> its DQ output
  const scalar = (base: string, dtype: 'float32' | 'int8' | 'uint8' | 'int32', values: number[], shape: number[]): string => {
    const name = unique(base);
    const data = dtype === 'float32' ? Float32Array.from(values) : dtype === 'int8' ? Int8Array.from(values) : dtype === 'uint8' ? Uint8Array.from(values) : Int32Array.from(values);
    tensors.set(name, { name, dtype, shape, data: bytes(data), isConstant: true });
    return name;
  };
  const emit = (op: string, inputs: string[], outputs: string[], attrs: Record<string, AttrValue> = {}) => {
    nodes.push({ name: unique(`${outputs[0]}_${op}`), op: `onnx.${op}`, inputs, outputs, attrs });
    report.conversions++;
  };
  /** QuantizeLinear + DequantizeLinear of a float activation, once per tensor (`rangeName` holds its range). */
  const qdq = (x: string, dqName?: string, rangeName = x): string => {
    const hit = dq.get(x);
    if (hit) return hit;
    const q = paramsOf(rangeName);
    const t = tensors.get(x);
    const s = scalar(`${x}_scale`, 'float32', q.scale, []);
    const z = scalar(`${x}_zero_point`, u8 ? 'uint8' : 'int8', q.zeroPoint, []);
    const xq = unique(`${x}_QuantizeLinear_Output`);
    const xd = dqName ?? unique(`${x}_DequantizeLinear_Output`);
    tensors.set(xq, { name: xq, dtype: u8 ? 'uint8' : 'int8', shape: t?.shape ?? null });
    tensors.set(xd, { name: xd, dtype: 'float32', shape: t?.shape ?? null });
    emit('QuantizeLinear', [x, s, z], [xq]);
    emit('DequantizeLinear', [xq, s, z], [xd]);
    dq.set(x, xd);
    return xd;
  };
  const dequantizedConst = (name: string, dtype: 'int8' | 'int32', data: Int8Array | Int32Array, q: Quantization, shape: Tensor['shape'], axis?: number): string => {
    const qn = unique(`${name}_quantized`);
    tensors.set(qn, { name: qn, dtype, shape, data: bytes(data), isConstant: true });
    const perAxis = q.scale.length > 1;
    const s = scalar(`${qn}_scale`, 'float32', q.scale, perAxis ? [q.scale.length] : []);
    const z = scalar(`${qn}_zero_point`, dtype, q.scale.map(() => 0), perAxis ? [q.scale.length] : []);
    const out = unique(`${name}_DequantizeLinear_Output`);
    tensors.set(out, { name: out, dtype: 'float32', shape });
    emit('DequantizeLinear', [qn, s, z], [out], perAxis ? { axis: { kind: 'int', value: axis ?? 0 } } : {});
    return out;
  };

  for (const n of g.nodes) {
    if (removed.has(n)) continue;
    const info = OPS[n.op.slice(5)];
    if (!quantized.has(n) || !info) {
      nodes.push({ ...n, inputs: n.inputs.map((x) => (x ? (dq.get(alias(x)) ?? alias(x)) : x)) });
      continue;
    }
    const inputs = n.inputs.map(alias);
    const data = info.data?.length === 0 ? inputs.map((_, i) => i) : info.data ?? [0];
    for (const i of data) {
      const x = inputs[i];
      if (!x) continue;
      const t = g.tensors.get(x);
      if (isConst(t) || (t && t.dtype !== 'float32' && t.dtype !== 'unknown')) continue;
      inputs[i] = qdq(x);
    }
    if (info.weight) {
      const w = g.tensors.get(n.inputs[info.weight.input]!)!;
      const shape = (w.shape ?? []).map((d) => (typeof d === 'number' ? d : 1));
      const axis = info.weight.perChannel && perChannelOk ? info.weight.axis(n) : undefined;
      const v = floats32(w);
      const { codes, q: wq } = quantizePerChannel(v, shape, axis);
      inputs[info.weight.input] = dequantizedConst(w.name, 'int8', codes, wq, w.shape, axis);
      const b = info.bias !== undefined ? g.tensors.get(n.inputs[info.bias] ?? '') : undefined;
      if (b?.data) {
        const xs = paramsOf(alias(n.inputs[0]!)).scale[0]!;
        const bq = quantizeBias(floats32(b), xs, wq.scale, false);
        report.saturatedBiases += bq.saturated;
        inputs[info.bias!] = dequantizedConst(b.name, 'int32', bq.data as Int32Array, { scale: bq.scale, zeroPoint: bq.scale.map(() => 0) }, b.shape, 0);
      }
    }
    // A graph output keeps its name and float type: the op writes an inner tensor and the DQ
    // writes the output, as onnxruntime's quantizer does, so DQ -> op -> Q still fuses.
    const outputs = [...n.outputs];
    n.outputs.forEach((o, i) => {
      if (!o) return;
      const after = [...folded].find(([, src]) => src === o)?.[0];
      const exposed = g.outputs.includes(o) ? o : after && g.outputs.includes(after) ? after : null;
      if (exposed) {
        const inner = unique(`${exposed}_QuantizeLinear_Input`);
        tensors.set(inner, { ...(tensors.get(exposed) ?? tensors.get(o))!, name: inner });
        outputs[i] = inner;
        qdq(inner, exposed, o);
        dq.set(o, exposed);
      } else if ((consumers.get(after ?? o) ?? []).some((c) => !removed.has(c))) qdq(o);
    });
    nodes.push({ ...n, inputs, outputs });
    report.nodes.push({ node: n.name, op: n.op, precision: 'int8' });
  }
  const used = new Set<string>([...g.inputs, ...g.outputs]);
  for (const n of nodes) for (const x of [...n.inputs, ...n.outputs]) used.add(x);
  for (const k of [...tensors.keys()]) if (!used.has(k)) tensors.delete(k);
  for (const n of removed) report.nodes.push({ node: n.name, op: n.op, precision: 'int8', reason: 'folded into the quantized op before it' });
  report.nodes.push(...floatNodes);
  for (const n of report.nodes) report.counts[n.precision]++;
  if (floatNodes.length) {
    const byReason = new Map<string, string[]>();
    for (const f of floatNodes) byReason.set(f.reason!, [...(byReason.get(f.reason!) ?? []), f.node]);
    for (const [why, names] of byReason) report.notes.push(`${names.length} node(s) stay float: ${why} (${names.slice(0, 3).join(', ')}${names.length > 3 ? ', ...' : ''})`);
  }
  const out: Graph = { ...g, nodes, tensors };
  report.weightBytes.after = constantBytes(out);
  return {
    model: { ...model, graphs: [out], metadata: { ...model.metadata, quantization: `QDQ ${u8 ? 'uint8' : 'int8'} activations, ${perChannelOk ? 'per-channel' : 'per-tensor'} Conv weights${options.calibration ? `; calibration: ${options.calibration}` : ''}` } },
    report,
  };
}

/** Clip's [min, max] from inputs 1 and 2 (opset >= 11) or attributes (older). */
function clipBounds(n: Node, g: Graph): [number, number] {
  const val = (i: number, attr: string, d: number): number => {
    const t = g.tensors.get(n.inputs[i] ?? '');
    if (t?.data) return floats32(t)[0] ?? d;
    const a = n.attrs[attr];
    return a?.kind === 'float' ? a.value : d;
  };
  return [val(1, 'min', -Infinity), val(2, 'max', Infinity)];
}
