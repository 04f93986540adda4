/**
 * Recurrent ONNX ops (LSTM, GRU, RNN) unrolled over their static time steps into FULLY_CONNECTED,
 * ADD, MUL, LOGISTIC and TANH, plus Constant outputs. Unrolling is exact and runs everywhere
 * (Arm NN and tfjs-tflite included), where UNIDIRECTIONAL_SEQUENCE_LSTM keeps its states in
 * variable tensors that cannot be fed from graph inputs (silero VAD passes h/c in and out).
 */
import { type LowerCtx, type Rule, Unsupported } from './context';
import { bool, int } from './builder';
import { bytesOf, floats, numbers, size } from './nd';

/** More steps than this make a graph too large to be worth writing. */
const MAX_STEPS = 512;

const ACTIVATION: Record<string, string> = { Sigmoid: 'LOGISTIC', Tanh: 'TANH', Relu: 'RELU' };

interface Rnn {
  dirs: number; reverse: boolean; seq: number; batch: number; input: number; hidden: number;
  /** Per direction, the [B, I] tensor of each time step. */
  steps: string[];
  acts: string[];
  /** Per time step, [B, 1] 1.0 where t < sequence_lens[b] (null when every sequence is full). */
  masks: string[] | null;
  batchMajor: boolean;
}

function constFloats(c: LowerCtx, name: string | undefined, what: string): Float32Array | null {
  if (!name) return null;
  const t = c.constant(name);
  const v = t ? floats(t) : null;
  if (!v) throw new Unsupported(`${c.node.op.replace(/^onnx\./, '')} ${what} is not a float constant`);
  return v;
}

/** Checks what the unrolled form covers and slices X into its time steps. */
function prepare(c: LowerCtx, defaults: string[]): Rnn {
  const [xName, , , , seqLens] = c.node.inputs;
  const batchMajor = c.int('layout', 0) !== 0;
  if (c.attr('clip')) throw new Unsupported('cell clipping (clip attribute)');
  if (c.int('input_forget', 0) !== 0) throw new Unsupported('input_forget=1');
  const direction = c.string('direction', 'forward');
  const dirs = direction === 'bidirectional' ? 2 : 1;
  const xs = c.shape(xName!);
  const [seq, batch, input] = (batchMajor ? [xs[1], xs[0], xs[2]] : xs) as [number, number, number];
  const hidden = c.int('hidden_size', 0) || c.shape(c.node.inputs[2]!)[2]!;
  if (seq * dirs > MAX_STEPS) throw new Unsupported(`${seq} time steps x ${dirs} directions is too many to unroll (max ${MAX_STEPS})`);
  const a = c.attr('activations');
  const acts = a?.kind === 'strings' ? a.value : [...defaults, ...(dirs === 2 ? defaults : [])];
  for (const act of acts) if (!ACTIVATION[act]) throw new Unsupported(`activation ${act}`);
  if (c.attr('activation_alpha') || c.attr('activation_beta')) throw new Unsupported('activation_alpha / activation_beta');
  if (acts.length !== defaults.length * dirs) throw new Unsupported(`${acts.length} activations for ${dirs} direction(s)`);
  let x = c.v(xName!);
  if (batchMajor) x = c.b.transpose(x, [1, 0, 2]);
  let steps: string[];
  if (seq === 1) steps = [c.b.reshape(x, [batch, input])];
  else {
    const parts = Array.from({ length: seq }, (_, t) => c.b.tmp(`${c.node.name}/x${t}`, 'float32', [1, batch, input]));
    c.b.emit('SPLIT', [c.b.constValues(`${c.node.name}/x_axis`, 'int32', [], [0]), x], parts, { num_splits: int(seq) });
    steps = parts.map((p) => c.b.reshape(p, [batch, input]));
  }
  return { dirs, reverse: direction === 'reverse', seq, batch, input, hidden, steps, acts, masks: stepMasks(c, seqLens, seq, batch), batchMajor };
}

/**
 * sequence_lens as per-step [B, 1] masks (t < len), computed at run time when the lengths are:
 * past its length a sequence's state stays as it was and its Y rows are 0, as ONNX defines.
 */
function stepMasks(c: LowerCtx, seqLens: string | undefined, seq: number, batch: number): string[] | null {
  if (!seqLens) return null;
  const lens = c.constNumbers(seqLens);
  if (lens && lens.every((l) => l === seq)) return null;
  let l = c.v(seqLens);
  if (c.dtype(seqLens) !== 'int32') l = op(c, 'CAST', [l], 'seq_lens_i32', [batch], {}, 'int32');
  return Array.from({ length: seq }, (_, t) => {
    const lt = c.b.tmp(`${c.node.name}/t${t}_live`, 'bool', [batch]);
    c.b.emit('LESS', [c.b.constValues(`${c.node.name}/t${t}`, 'int32', [], [t]), l], [lt]);
    return c.b.reshape(op(c, 'CAST', [lt], `t${t}_mask`, [batch]), [batch, 1]);
  });
}

/** The state after step t: the new one where the sequence is live, the previous one past its end. */
function masked(c: LowerCtx, r: Rnn, t: number, prev: string, next: string, label: string): string {
  const m = r.masks?.[t];
  if (!m) return next;
  const shape = [r.batch, r.hidden];
  return op(c, 'ADD', [prev, op(c, 'MUL', [m, op(c, 'SUB', [next, prev], `${label}_step`, shape)], `${label}_live`, shape)], `${label}_kept`, shape);
}

/** Y row of step t: 0 past the sequence's end. */
function yRow(c: LowerCtx, r: Rnn, t: number, h: string, label: string): string {
  const m = r.masks?.[t];
  return m ? op(c, 'MUL', [m, h], `${label}_y`, [r.batch, r.hidden]) : h;
}

/** initial_h / initial_c ([dirs, B, H]) as one [B, H] tensor per direction; zeros when absent. */
function initialState(c: LowerCtx, r: Rnn, name: string | undefined, label: string): string[] {
  const shape = [r.batch, r.hidden];
  if (!name) return Array.from({ length: r.dirs }, () => c.b.constValues(`${c.node.name}/${label}0`, 'float32', shape, new Float32Array(size(shape))));
  let v = c.v(name);
  if (r.batchMajor) v = c.b.transpose(v, [1, 0, 2]);
  if (r.dirs === 1) return [c.b.reshape(v, shape)];
  const parts = [0, 1].map((d) => c.b.tmp(`${c.node.name}/${label}0_${d}`, 'float32', [1, ...shape]));
  c.b.emit('SPLIT', [c.b.constValues(`${c.node.name}/${label}_axis`, 'int32', [], [0]), v], parts, { num_splits: int(2) });
  return parts.map((p) => c.b.reshape(p, shape));
}

function op(c: LowerCtx, kind: string, inputs: string[], label: string, shape: number[], attrs = {}, dtype: 'float32' | 'int32' = 'float32'): string {
  const y = c.b.tmp(`${c.node.name}/${label}`, dtype, shape);
  c.b.emit(kind, inputs, [y], attrs);
  return y;
}

/** FULLY_CONNECTED with rows [rowsFrom, rowsFrom + n) of the [*, k] matrix m. */
function fc(c: LowerCtx, x: string, m: Float32Array, k: number, rowsFrom: number, n: number, bias: Float32Array, label: string, batch: number): string {
  const w = c.b.constBytes(`${c.node.name}/${label}/weights`, 'float32', [n, k], bytesOf(m.slice(rowsFrom * k, (rowsFrom + n) * k)));
  const b = c.b.constBytes(`${c.node.name}/${label}/bias`, 'float32', [n], bytesOf(bias));
  return op(c, 'FULLY_CONNECTED', [x, w, b], label, [batch, n], { keep_num_dims: bool(false) });
}

/** [W | R] row-joined per gate, so one FULLY_CONNECTED on CONCAT(x, h) computes x W^T + h R^T. */
function joined(w: Float32Array, r: Float32Array, rows: number, input: number, hidden: number): Float32Array {
  const out = new Float32Array(rows * (input + hidden));
  for (let j = 0; j < rows; j++) {
    out.set(w.subarray(j * input, (j + 1) * input), j * (input + hidden));
    out.set(r.subarray(j * hidden, (j + 1) * hidden), j * (input + hidden) + input);
  }
  return out;
}

/** Y ([seq, dirs, B, H]), Y_h and Y_c ([dirs, B, H]) from the per-step states. */
function writeOutputs(c: LowerCtx, r: Rnn, hs: string[][], finals: string[][]): void {
  const [yName, ...stateNames] = c.node.outputs;
  // Joined time/direction-major; batch-major layout moves the batch axis to the front after.
  const join = (parts: string[], shape: number[], out: string, perm: number[] | null): void => {
    const rows = parts.map((p) => c.b.reshape(p, [1, r.batch, r.hidden]));
    const cat = rows.length === 1 ? rows[0]! : op(c, 'CONCATENATION', rows, 'join', [rows.length, r.batch, r.hidden], { axis: int(0) });
    if (!perm) { c.b.reshape(cat, shape, out); return; }
    c.b.transpose(c.b.reshape(cat, shape), perm, out);
  };
  if (yName) {
    const order: string[] = [];
    for (let t = 0; t < r.seq; t++) for (let d = 0; d < r.dirs; d++) order.push(hs[d]![t]!);
    join(order, [r.seq, r.dirs, r.batch, r.hidden], c.out(0), r.batchMajor ? [2, 0, 1, 3] : null);
  }
  stateNames.forEach((name, i) => {
    if (name && finals[i]) join(finals[i]!, [r.dirs, r.batch, r.hidden], c.out(i + 1), r.batchMajor ? [1, 0, 2] : null);
  });
}

/** ONNX LSTM (gates i, o, f, c), optional peepholes P (i, o, f). */
const lstm: Rule = (c) => {
  const [, wName, rName, bName, , hName, cName, pName] = c.node.inputs;
  const r = prepare(c, ['Sigmoid', 'Tanh', 'Tanh']);
  const { input: I, hidden: H, batch: B } = r;
  const W = constFloats(c, wName, 'W')!, R = constFloats(c, rName, 'R')!;
  const Bv = constFloats(c, bName, 'B') ?? new Float32Array(r.dirs * 8 * H);
  const P = constFloats(c, pName, 'P');
  const h0 = initialState(c, r, hName, 'h'), c0 = initialState(c, r, cName, 'c');
  const hs: string[][] = [], lastH: string[] = [], lastC: string[] = [];
  const shape = [B, H];
  for (let d = 0; d < r.dirs; d++) {
    const m = joined(W.subarray(d * 4 * H * I, (d + 1) * 4 * H * I), R.subarray(d * 4 * H * H, (d + 1) * 4 * H * H), 4 * H, I, H);
    const bias = (g: number): Float32Array => Float32Array.from({ length: H }, (_, j) => Bv[d * 8 * H + g * H + j]! + Bv[d * 8 * H + 4 * H + g * H + j]!);
    const peep = (g: number): string | null => (P ? c.b.constBytes(`${c.node.name}/peephole${d}_${g}`, 'float32', [H], bytesOf(P.slice(d * 3 * H + g * H, d * 3 * H + (g + 1) * H))) : null);
    const [pi, po, pf] = [peep(0), peep(1), peep(2)];
    const [f, g, h] = r.acts.slice(d * 3, d * 3 + 3).map((a) => ACTIVATION[a]!) as [string, string, string];
    let hPrev = h0[d]!, cPrev = c0[d]!;
    const out: string[] = new Array<string>(r.seq);
    for (let k = 0; k < r.seq; k++) {
      const t = d === 0 && !r.reverse ? k : r.seq - 1 - k;
      const xh = op(c, 'CONCATENATION', [r.steps[t]!, hPrev], `d${d}t${t}/xh`, [B, I + H], { axis: int(1) });
      const pre = (gate: number, name: string): string => fc(c, xh, m, I + H, gate * H, H, bias(gate), `d${d}t${t}/${name}`, B);
      const withPeep = (x: string, p: string | null, state: string, name: string): string =>
        p ? op(c, 'ADD', [x, op(c, 'MUL', [state, p], `d${d}t${t}/${name}_peep`, shape)], `d${d}t${t}/${name}_sum`, shape) : x;
      const it = op(c, f, [withPeep(pre(0, 'i'), pi, cPrev, 'i')], `d${d}t${t}/i_act`, shape);
      const ft = op(c, f, [withPeep(pre(2, 'f'), pf, cPrev, 'f')], `d${d}t${t}/f_act`, shape);
      const ct = op(c, g, [pre(3, 'c')], `d${d}t${t}/c_act`, shape);
      const cNew = op(c, 'ADD', [op(c, 'MUL', [ft, cPrev], `d${d}t${t}/fc`, shape), op(c, 'MUL', [it, ct], `d${d}t${t}/ic`, shape)], `d${d}t${t}/c`, shape);
      const ot = op(c, f, [withPeep(pre(1, 'o'), po, cNew, 'o')], `d${d}t${t}/o_act`, shape);
      const hNew = op(c, 'MUL', [ot, op(c, h, [cNew], `d${d}t${t}/c_h`, shape)], `d${d}t${t}/h`, shape);
      out[t] = yRow(c, r, t, hNew, `d${d}t${t}/h`);
      hPrev = masked(c, r, t, hPrev, hNew, `d${d}t${t}/h`);
      cPrev = masked(c, r, t, cPrev, cNew, `d${d}t${t}/c`);
    }
    hs.push(out);
    lastH.push(hPrev);
    lastC.push(cPrev);
  }
  writeOutputs(c, r, hs, [lastH, lastC]);
};

/** ONNX GRU (gates z, r, h), both linear_before_reset modes. */
const gru: Rule = (c) => {
  const [, wName, rName, bName, , hName] = c.node.inputs;
  const r = prepare(c, ['Sigmoid', 'Tanh']);
  const { input: I, hidden: H, batch: B } = r;
  const W = constFloats(c, wName, 'W')!, R = constFloats(c, rName, 'R')!;
  const Bv = constFloats(c, bName, 'B') ?? new Float32Array(r.dirs * 6 * H);
  const lbr = c.int('linear_before_reset', 0) !== 0;
  const h0 = initialState(c, r, hName, 'h');
  const hs: string[][] = [], lastH: string[] = [];
  const shape = [B, H];
  for (let d = 0; d < r.dirs; d++) {
    const Wd = W.subarray(d * 3 * H * I, (d + 1) * 3 * H * I), Rd = R.subarray(d * 3 * H * H, (d + 1) * 3 * H * H);
    const m = joined(Wd, Rd, 3 * H, I, H);
    const wb = (g: number): Float32Array => Bv.slice(d * 6 * H + g * H, d * 6 * H + (g + 1) * H);
    const rb = (g: number): Float32Array => Bv.slice(d * 6 * H + 3 * H + g * H, d * 6 * H + 3 * H + (g + 1) * H);
    const both = (g: number): Float32Array => Float32Array.from(wb(g), (v, j) => v + rb(g)[j]!);
    const [f, g] = r.acts.slice(d * 2, d * 2 + 2).map((a) => ACTIVATION[a]!) as [string, string];
    let hPrev = h0[d]!;
    const out: string[] = new Array<string>(r.seq);
    for (let k = 0; k < r.seq; k++) {
      const t = d === 0 && !r.reverse ? k : r.seq - 1 - k;
      const l = `d${d}t${t}`;
      const xh = op(c, 'CONCATENATION', [r.steps[t]!, hPrev], `${l}/xh`, [B, I + H], { axis: int(1) });
      const zt = op(c, f, [fc(c, xh, m, I + H, 0, H, both(0), `${l}/z`, B)], `${l}/z_act`, shape);
      const rt = op(c, f, [fc(c, xh, m, I + H, H, H, both(1), `${l}/r`, B)], `${l}/r_act`, shape);
      const xw = fc(c, r.steps[t]!, Wd, I, 2 * H, H, wb(2), `${l}/xh_w`, B);
      const rec = lbr
        ? op(c, 'MUL', [rt, fc(c, hPrev, Rd, H, 2 * H, H, rb(2), `${l}/hh_r`, B)], `${l}/hh`, shape)
        : fc(c, op(c, 'MUL', [rt, hPrev], `${l}/rh`, shape), Rd, H, 2 * H, H, rb(2), `${l}/hh`, B);
      const ht = op(c, g, [op(c, 'ADD', [xw, rec], `${l}/h_pre`, shape)], `${l}/h_act`, shape);
      // H = (1 - z) * h~ + z * H_prev = h~ + z * (H_prev - h~)
      const hNew = op(c, 'ADD', [ht, op(c, 'MUL', [zt, op(c, 'SUB', [hPrev, ht], `${l}/diff`, shape)], `${l}/zd`, shape)], `${l}/h`, shape);
      out[t] = yRow(c, r, t, hNew, `${l}/h`);
      hPrev = masked(c, r, t, hPrev, hNew, `${l}/h`);
    }
    hs.push(out);
    lastH.push(hPrev);
  }
  writeOutputs(c, r, hs, [lastH]);
};

/** ONNX RNN: H = f(X W^T + H_prev R^T + Wb + Rb), one gate. */
const rnn: Rule = (c) => {
  const [, wName, rName, bName, , hName] = c.node.inputs;
  const r = prepare(c, ['Tanh']);
  const { input: I, hidden: H, batch: B } = r;
  const W = constFloats(c, wName, 'W')!, R = constFloats(c, rName, 'R')!;
  const Bv = constFloats(c, bName, 'B') ?? new Float32Array(r.dirs * 2 * H);
  const h0 = initialState(c, r, hName, 'h');
  const hs: string[][] = [], lastH: string[] = [];
  for (let d = 0; d < r.dirs; d++) {
    const m = joined(W.subarray(d * H * I, (d + 1) * H * I), R.subarray(d * H * H, (d + 1) * H * H), H, I, H);
    const bias = Float32Array.from({ length: H }, (_, j) => Bv[d * 2 * H + j]! + Bv[d * 2 * H + H + j]!);
    const f = ACTIVATION[r.acts[d]!]!;
    let hPrev = h0[d]!;
    const out: string[] = new Array<string>(r.seq);
    for (let k = 0; k < r.seq; k++) {
      const t = d === 0 && !r.reverse ? k : r.seq - 1 - k;
      const l = `d${d}t${t}`;
      const xh = op(c, 'CONCATENATION', [r.steps[t]!, hPrev], `${l}/xh`, [B, I + H], { axis: int(1) });
      const hNew = op(c, f, [fc(c, xh, m, I + H, 0, H, bias, `${l}/pre`, B)], `${l}/h`, [B, H]);
      out[t] = yRow(c, r, t, hNew, `${l}/h`);
      hPrev = masked(c, r, t, hPrev, hNew, `${l}/h`);
    }
    hs.push(out);
    lastH.push(hPrev);
  }
  writeOutputs(c, r, hs, [lastH]);
};

/**
 * A Constant (or ConstantOfShape) left in the graph because its folded value is a graph output:
 * TFLite runtimes want outputs produced by an op, so the value goes through a RESHAPE.
 */
const constantOutput: Rule = (c) => {
  const out = c.node.outputs[0]!;
  const t = c.constant(out);
  if (!t?.data) {
    if (c.node.op === 'onnx.ConstantOfShape') return fill(c);
    throw new Unsupported('constant value could not be computed');
  }
  const shape = c.shape(out);
  const k = c.b.constBytes(`${out}/value`, t.dtype, shape, t.data);
  c.b.reshape(k, shape, c.out());
};

/** ConstantOfShape of a run-time shape whose result shape is still known: FILL. */
function fill(c: LowerCtx): void {
  const v = c.node.attrs.value;
  const value = v?.kind === 'tensor' ? v.value : null;
  const dtype = value?.dtype ?? 'float32';
  const n = value ? (numbers(value) ?? [0]) : [0];
  // The dims are the static output shape (conversion needs it known): a FILL of run-time dims
  // has a dynamic output, which LiteRT.js hands back unfilled.
  const dims = c.b.int32(`${c.node.name}/dims`, c.shape(c.node.outputs[0]!));
  const scalar = c.b.constValues(`${c.node.name}/value`, dtype, [], [n[0] ?? 0]);
  c.b.emit('FILL', [dims, scalar], [c.out()], {}, c.node.name);
}

export const RNN_RULES: Record<string, Rule> = {
  LSTM: lstm,
  GRU: gru,
  RNN: rnn,
  Constant: constantOutput,
  ConstantOfShape: constantOutput,
};
