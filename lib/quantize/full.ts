/**
 * Full-integer post-training quantization of a float `tfl` graph (int8, or 16x8 with int16
 * activations), with per-node precision: nodes the user keeps float, or whose op has no integer
 * kernel, run float between DEQUANTIZE and QUANTIZE nodes (TFLite's "integer with float
 * fallback"). Activation scales come from calibrated ranges (options.ranges); weights are
 * symmetric int8 per channel; biases int32 (int64 for 16x8) at input scale x weight scale.
 */
import type { Graph, Model, Node, Quantization, Tensor } from '../ir/types';
import { GraphEdit, floats32, quantTensor, staticShape } from './graph-edit';
import { dataInputs, quantInfo, weightAxis, type QuantOpInfo } from './op-table';
import { activationParams, quantizeActivation, quantizeBias, quantizePerChannel, type ActivationType } from './params';
import { choosePrecisions } from './precision';
import { planScales, type ScalePlan } from './scales';
import type { LayerPrecision, QuantizedNode, QuantizeOptions } from './types';

const DTYPE: Record<ActivationType, 'int8' | 'int16'> = { int8: 'int8', int16: 'int16' };

interface Result { graph: Graph; nodes: QuantizedNode[]; conversions: number; saturatedBiases: number }

class FullQuantizer {
  private readonly edit: GraphEdit;
  private readonly home = new Map<string, LayerPrecision>();
  private readonly reps = new Map<string, Map<LayerPrecision, string>>();
  private readonly constCache = new Map<string, string>();
  private readonly producerOf = new Map<string, Node>();
  private readonly readers = new Map<string, number>();
  saturatedBiases = 0;

  constructor(private readonly g: Graph, private readonly prec: Map<Node, QuantizedNode>, private readonly plan: ScalePlan, private readonly options: QuantizeOptions) {
    this.edit = new GraphEdit(g);
    for (const n of g.nodes) for (const o of n.outputs) this.producerOf.set(o, n);
    for (const n of g.nodes) for (const x of n.inputs) if (x) this.readers.set(x, (this.readers.get(x) ?? 0) + 1);
  }

  private precisionOf(n: Node): LayerPrecision {
    return this.prec.get(n)!.precision;
  }

  private isConst(name: string): boolean {
    const t = this.g.tensors.get(name);
    return !!t && (!!t.data || !!t.isConstant);
  }

  /** Where each activation lives: its producer's precision; graph inputs as their consumers want. */
  private decideHomes(): void {
    const consumers = new Map<string, LayerPrecision[]>();
    for (const n of this.g.nodes) {
      const p = this.precisionOf(n);
      const info = quantInfo(n.op);
      const data = p !== 'float' && info ? new Set(dataInputs(info, n.inputs.length)) : new Set<number>();
      n.inputs.forEach((x, i) => { if (x) consumers.set(x, [...(consumers.get(x) ?? []), data.has(i) ? p : 'float']); });
    }
    for (const x of this.g.inputs) {
      const wanted = (consumers.get(x) ?? []).filter((p) => p !== 'float');
      const p = this.options.floatIO || wanted.length === 0 ? 'float' : wanted.includes('int8') ? 'int8' : 'int16';
      this.home.set(x, p);
    }
    for (const n of this.g.nodes) for (const o of n.outputs) this.home.set(o, this.precisionOf(n));
  }

  private setRep(name: string, p: LayerPrecision, rep: string): void {
    let m = this.reps.get(name);
    if (!m) { m = new Map(); this.reps.set(name, m); }
    m.set(p, rep);
  }

  private params(p: ActivationType, name: string): Quantization {
    const q = this.plan.params(p, name);
    if (!q) throw new Error(`quantize: no parameters for tensor ${name} (${p}); calibration did not reach it`);
    return q;
  }

  /** The tensor as `p` at its home name (dtype and parameters set). */
  private declareHome(name: string): void {
    const p = this.home.get(name) ?? 'float';
    const t = this.g.tensors.get(name);
    if (!t || p === 'float') { this.setRep(name, 'float', name); return; }
    const floatOut = this.options.floatIO && this.g.outputs.includes(name);
    const target = floatOut ? this.edit.unique(`${name}/${p}`) : name;
    this.edit.put({ ...t, name: target, dtype: DTYPE[p], quant: this.params(p, name) });
    this.setRep(name, p, target);
    if (floatOut) this.setRep(name, 'float', name);
  }

  /** The name holding `name` at precision `p`, converting (once) where it is not there yet. */
  private rep(name: string, p: LayerPrecision): string {
    const have = this.reps.get(name)?.get(p);
    if (have) return have;
    const t = this.g.tensors.get(name)!;
    if (p === 'float') {
      const from = [...(this.reps.get(name)?.values() ?? [])][0]!;
      const out = this.edit.put({ ...t, name: this.edit.unique(`${name}/float`), dtype: 'float32', quant: undefined });
      this.edit.convert('DEQUANTIZE', from, out);
      this.setRep(name, 'float', out);
      return out;
    }
    const src = this.rep(name, 'float');
    const out = this.edit.put({ ...t, name: this.edit.unique(`${name}/${p}`), dtype: DTYPE[p], quant: this.params(p, name) });
    this.edit.convert('QUANTIZE', src, out);
    this.setRep(name, p, out);
    return out;
  }

  private constant(name: string, role: string, make: (t: Tensor, target: string) => Tensor): string {
    const key = `${name}|${role}`;
    const hit = this.constCache.get(key);
    if (hit) return hit;
    const t = this.g.tensors.get(name)!;
    // A constant read once keeps its name; a shared one (or one a float node still reads) gets a copy per role.
    const target = this.readers.get(name) === 1 ? name : this.edit.unique(`${name}/${role}`);
    this.edit.put(make(t, target));
    this.constCache.set(key, target);
    return target;
  }

  private weight(name: string, info: QuantOpInfo): { name: string; scales: number[] } {
    const shape = staticShape(this.g.tensors.get(name)!);
    const axis = weightAxis(info.weight!, this.options);
    const out = this.constant(name, `w${axis ?? 't'}`, (src, target) => {
      const { codes, q } = quantizePerChannel(floats32(src), shape, axis);
      return quantTensor(src, target, 'int8', codes, q);
    });
    return { name: out, scales: this.edit.tensors.get(out)!.quant!.scale };
  }

  private bias(name: string, inputScale: number, weightScales: number[], wide: boolean): string {
    return this.constant(name, `b${inputScale}:${weightScales.join(',')}`, (src, target) => {
      const r = quantizeBias(floats32(src), inputScale, weightScales, wide);
      this.saturatedBiases += r.saturated;
      const quant: Quantization = { scale: r.scale, zeroPoint: r.scale.map(() => 0), ...(r.scale.length > 1 ? { axis: 0 } : {}) };
      return quantTensor(src, target, wide ? 'int64' : 'int32', r.data, quant);
    });
  }

  private dataConstant(name: string, p: ActivationType, shared: boolean): string {
    return this.constant(name, `${p}${shared ? 's' : ''}`, (src, target) => {
      const v = floats32(src);
      let lo = 0, hi = 0;
      for (const x of v) { if (x < lo) lo = x; if (x > hi) hi = x; }
      const q = shared ? this.params(p, name) : activationParams(lo, hi, p);
      return quantTensor(src, target, DTYPE[p], quantizeActivation(v, q, p), q);
    });
  }

  private quantizedNode(n: Node, p: ActivationType): Node {
    const info = quantInfo(n.op)!;
    const data = new Set(dataInputs(info, n.inputs.length));
    const inputs = [...n.inputs];
    for (const i of data) {
      const x = n.inputs[i];
      if (!x) continue;
      inputs[i] = this.isConst(x) ? this.dataConstant(x, p, !!info.same) : this.rep(x, p);
    }
    if (info.weight) {
      const w = this.weight(n.inputs[info.weight.input]!, info);
      inputs[info.weight.input] = w.name;
      const b = info.bias !== undefined ? n.inputs[info.bias] : undefined;
      if (b) {
        const x = n.inputs[dataInputs(info, n.inputs.length)[0]!]!;
        inputs[info.bias!] = this.bias(b, this.params(p, x).scale[0]!, w.scales, p === 'int16');
      }
    }
    const outputs = n.outputs.map((o) => (o ? this.reps.get(o)!.get(p)! : o));
    const { version: _dropped, ...rest } = n;
    return { ...rest, inputs, outputs };
  }

  run(): Result {
    this.decideHomes();
    for (const x of this.g.inputs) this.declareHome(x);
    for (const n of this.g.nodes) for (const o of n.outputs) if (o) this.declareHome(o);
    for (const n of this.g.nodes) {
      const p = this.precisionOf(n);
      if (p === 'float') {
        this.edit.nodes.push({ ...n, inputs: n.inputs.map((x) => (x && !this.isConst(x) && this.producedOrFed(x) ? this.rep(x, 'float') : x)) });
      } else {
        this.edit.nodes.push(this.quantizedNode(n, p));
      }
      for (const o of n.outputs) {
        const m = this.reps.get(o);
        // A float graph output written by a quantized node: dequantize right after it.
        if (o && p !== 'float' && m?.get('float') === o) this.edit.convert('DEQUANTIZE', m.get(p)!, o);
      }
    }
    return { graph: this.edit.graph(), nodes: [...this.prec.values()], conversions: this.edit.conversions, saturatedBiases: this.saturatedBiases };
  }

  private producedOrFed(x: string): boolean {
    return this.producerOf.has(x) || this.g.inputs.includes(x);
  }
}

/** int8 / int16x8 quantization of graph 0. Other subgraphs (control flow bodies) stay float. */
export function quantizeFullGraph(model: Model, options: QuantizeOptions): Result {
  const g = model.graphs[0]!;
  const prec = choosePrecisions(g, options);
  let plan = planScales(g, prec, options.ranges ?? {});
  for (let round = 0; plan.conflicts.length > 0 && round < 8; round++) {
    for (const n of plan.conflicts) prec.set(n, { node: n.name, op: n.op, precision: 'float', reason: 'two fixed output scales meet in one shared-scale group' });
    plan = planScales(g, prec, options.ranges ?? {});
  }
  return new FullQuantizer(g, prec, plan, options).run();
}
