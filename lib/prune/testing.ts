/**
 * Test support for structured pruning: the exact reference a pruned model must match, and
 * running models in the tfjs IR executor and LiteRT.js.
 *
 * Reference: the ORIGINAL model with, in every layer that reads a removed channel, that input
 * slice of its weight zeroed. Removing channel c drops everything computed for c; c's values
 * (however biased, normalised or activated) reach the rest of the network only through those
 * slices, so the two models compute the same numbers, up to the order of float additions.
 */
import { readFileSync } from 'node:fs';
import { readModel } from '../formats/registry';
import { writeOnnx } from '../formats/onnx/write';
import { writeTflite } from '../formats/tflite/write';
import { inferShapes } from '../ir/shapes';
import type { Model, Tensor } from '../ir/types';
import { maxAbsDiff, randomHostTensor } from '../runtime/host-tensor';
import { litertAdapter } from '../runtime/litert';
import { ortAdapter } from '../runtime/ort';
import { tfjsAdapter } from '../runtime/tfjs/index';
import type { HostTensor, RuntimeAdapter } from '../runtime/types';
import { matcher } from './util';
import { applyPlan, planChannels, type ChannelPlan } from './structured';
import { PRUNE_OPS } from './tables';

export async function loadFile(path: string): Promise<Model> {
  const name = path.split('/').pop()!;
  const files = [{ name, bytes: new Uint8Array(readFileSync(path)) }];
  if (path.endsWith('.json')) {
    const json = JSON.parse(readFileSync(path, 'utf8')) as { weightsManifest?: Array<{ paths: string[] }> };
    const dir = path.slice(0, path.lastIndexOf('/') + 1);
    for (const g of json.weightsManifest ?? []) for (const p of g.paths) files.push({ name: p, bytes: new Uint8Array(readFileSync(dir + p)) });
  }
  return readModel(files);
}

/** The channel plan prune() makes for these options, and the model it makes from it. */
export function plan(model: Model, fraction: number, exclude: string[] = []): { plan: ChannelPlan; pruned: Model } {
  const shapes = inferShapes(model).model.graphs[0]!.tensors;
  const p = planChannels(model.graphs[0]!, shapes, PRUNE_OPS[model.dialect], { fraction, criterion: 'l1' }, matcher(exclude));
  return { plan: p, pruned: { ...model, graphs: [applyPlan(model.graphs[0]!, p), ...model.graphs.slice(1)] } };
}

/** Input-channel axis of a layer's weight, written out here rather than taken from the op tables. */
function inputAxis(op: string, transB: boolean, rank: number): number {
  if (op === 'tfl.CONV_2D') return 3;
  if (op === 'tfl.FULLY_CONNECTED') return 1;
  if (op === 'onnx.Conv') return 1;
  if (op === 'onnx.Gemm') return transB ? 1 : 0;
  if (op === 'onnx.MatMul') return rank - 2;
  throw new Error(`no input axis for ${op}`);
}

function zeroSlices(t: Tensor, axis: number, channels: Set<number>): Tensor {
  const shape = t.shape as number[];
  const size = t.data!.length / shape.reduce((a, b) => a * b, 1);
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const data = t.data!.slice();
  for (let i = 0; i < data.length / size; i++) if (channels.has(Math.floor(i / inner) % shape[axis]!)) data.fill(0, i * size, (i + 1) * size);
  return { ...t, data };
}

export function zeroedReference(model: Model, p: ChannelPlan): Model {
  const g = model.graphs[0]!;
  const tensors = new Map(g.tensors);
  for (const sink of p.cg.sinks) {
    const removed = p.removed.get(sink.input);
    if (!removed) continue;
    const node = g.nodes.find((n) => n.name === sink.node)!;
    let name = node.inputs[1]!;
    const dq = g.nodes.find((n) => n.outputs[0] === name && n.op === 'tfl.DEQUANTIZE');
    if (dq) name = dq.inputs[0]!;
    const t = tensors.get(name)!;
    const transB = node.attrs.transB?.kind === 'int' && node.attrs.transB.value === 1;
    tensors.set(name, zeroSlices(t, inputAxis(node.op, transB, t.shape!.length), new Set(removed)));
  }
  return { ...model, graphs: [{ ...g, tensors }, ...model.graphs.slice(1)] };
}

export interface Runner { name: string; run(model: Model, feeds: HostTensor[]): Promise<HostTensor[]> }

async function session(adapter: RuntimeAdapter, source: { model?: Model; bytes?: Uint8Array }, backend: 'cpu' | 'wasm', feeds: HostTensor[]) {
  const s = await adapter.load(source, { backend });
  try { return await s.run(feeds); } finally { s.dispose(); }
}

const tfjsRunner: Runner = { name: 'tfjs', run: (model, feeds) => session(tfjsAdapter, { model }, 'cpu', feeds) };
export const litertRunner: Runner = { name: 'LiteRT.js', run: (model, feeds) => session(litertAdapter, { bytes: writeTflite(model) }, 'wasm', feeds) };
const ortRunner: Runner = { name: 'onnxruntime', run: (model, feeds) => session(ortAdapter, { bytes: writeOnnx(model) }, 'wasm', feeds) };

/** The runtimes that take a model of this dialect from our writers, plus the tfjs executor. */
export const runnersFor = (model: Model): Runner[] => [tfjsRunner, model.dialect === 'tfl' ? litertRunner : ortRunner];

export function randomFeeds(model: Model, seed = 7): HostTensor[] {
  const g = model.graphs[0]!;
  return g.inputs.map((name, i) => {
    const t = g.tensors.get(name)!;
    return randomHostTensor({ name, dtype: t.dtype, shape: (t.shape ?? []).map((d) => (typeof d === 'number' ? d : 1)) }, { seed: seed + i });
  });
}

/** Worst |a - b| of each output relative to the reference output's range. */
export function relativeDiffs(got: HostTensor[], want: HostTensor[]): number[] {
  return want.map((w, i) => {
    let lo = Infinity, hi = -Infinity;
    for (const v of w.data) { lo = Math.min(lo, Number(v)); hi = Math.max(hi, Number(v)); }
    return maxAbsDiff(got[i]!, w) / Math.max(hi - lo, 1e-6);
  });
}
