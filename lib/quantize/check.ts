/**
 * Checks one quantized variant the way the acceptance asks: the written .tflite runs in
 * LiteRT.js, tfjs-tflite and Arm NN (or the runtime names what it lacks), integer outputs agree
 * with each other and with the integer reference within one step, and float outputs stay close
 * to the float model (SQNR). Node only (child-process runtimes): tests and scripts, not the app.
 */
import type { HostTensor } from '../runtime/types';
import { runOn, VERIFY_RUNTIMES, type RunOutcome, type VerifyRuntime } from '../verify/index';
import { lsbAgreement, share, type LsbAgreement } from './agreement';
import { metrics } from './estimate';
import { toFloatOutputs, toModelInputs } from './io';
import { layerAgreement } from './layers-check';
import { runReference, UnsupportedReferenceOp } from './reference/index';
import type { Variant } from './pipeline';

export interface RuntimeCell {
  runtime: VerifyRuntime | 'reference';
  status: 'ran' | 'unsupported' | 'error';
  detail: string;
  /** Integer outputs: agreement with the first runtime that ran (LiteRT.js, else the next). */
  agreement?: LsbAgreement;
  /** Every quantized layer recomputed by the integer reference from this runtime's own inputs. */
  layers?: LsbAgreement;
  /** The layer furthest from the reference. */
  worstLayer?: { node: string; op: string; maxDiff: number };
  /** Signal-to-noise of its dequantized outputs against the float model's, dB. */
  sqnrDb?: number;
}

export interface VariantCheck {
  integerOutputs: boolean;
  cells: RuntimeCell[];
  /**
   * Lowest within-one-step share, per layer against the integer reference, over the runtimes
   * that ran (1 when none could be checked). The goal: >= 99.9%.
   */
  worstWithinOne: number;
  /** How many runtimes the layer check covered (0: worstWithinOne says nothing). */
  layersChecked: number;
  /** End to end, the lowest within-one share between LiteRT.js and tfjs-tflite (both XNNPACK). */
  endToEnd: number;
}

const ran = (o: RunOutcome): o is Extract<RunOutcome, { status: 'ran' }> => o.status === 'ran';

/** `inputs` are float sample sets for the variant's float model (quantized here where I/O is integer). */
export async function checkVariant(v: Variant, floatOutputs: HostTensor[][], inputs: HostTensor[][], runtimes: readonly VerifyRuntime[] = VERIFY_RUNTIMES): Promise<VariantCheck> {
  const g = v.model.graphs[0]!;
  const integerOutputs = g.outputs.some((o) => /^u?int(8|16)$/.test(g.tensors.get(o)?.dtype ?? '') && !!g.tensors.get(o)?.quant);
  const sets = inputs.map((s) => toModelInputs(v.model, s));
  const outcomes: Array<{ runtime: RuntimeCell['runtime']; outputs?: HostTensor[][]; status: RuntimeCell['status']; detail: string }> = [];
  for (const rt of runtimes) {
    const o = await runOn(rt, v.bytes, sets, { timeoutMs: 120_000 + 200 * sets.length });
    outcomes.push(ran(o) ? { runtime: rt, outputs: o.outputSets, status: 'ran', detail: o.detail } : { runtime: rt, status: o.status, detail: o.detail });
  }
  if (integerOutputs) {
    try {
      outcomes.push({ runtime: 'reference', outputs: sets.map((s) => runReference(v.model, s)), status: 'ran', detail: 'integer reference (TFLite reference kernels)' });
    } catch (e) {
      const unsupported = e instanceof UnsupportedReferenceOp;
      outcomes.push({ runtime: 'reference', status: unsupported ? 'unsupported' : 'error', detail: (e as Error).message });
    }
  }
  const done = outcomes.filter((o) => o.outputs);
  const first = done[0];
  const lrt = outcomes.find((o) => o.runtime === 'litert')?.outputs, tft = outcomes.find((o) => o.runtime === 'tfjs-tflite')?.outputs;
  let endToEnd = 1;
  if (integerOutputs && lrt && tft) { const a = lsbAgreement(lrt, tft); endToEnd = share(a.withinOne, a.elements); }
  let worst = 1, layersChecked = 0;
  const cells: RuntimeCell[] = [];
  for (const o of outcomes) {
    const cell: RuntimeCell = { runtime: o.runtime, status: o.status, detail: o.detail };
    cells.push(cell);
    if (!o.outputs) continue;
    if (integerOutputs && first && o !== first) cell.agreement = lsbAgreement(first.outputs!, o.outputs);
    cell.sqnrDb = metrics(o.outputs.map((x) => toFloatOutputs(v.model, x)), floatOutputs).sqnrDb;
    if (!integerOutputs || o.runtime === 'reference') continue;
    try {
      const l = await layerAgreement(v.model, sets.slice(0, 2), o.runtime);
      if (l.status !== 'ran') { cell.detail += `; layer check: ${l.detail}`; continue; }
      cell.layers = l.total;
      const w = l.layers.reduce((a, b) => (b.agreement.maxDiff > a.agreement.maxDiff ? b : a), l.layers[0]!);
      if (w) cell.worstLayer = { node: w.node, op: w.op, maxDiff: w.agreement.maxDiff };
      worst = Math.min(worst, share(l.total.withinOne, l.total.elements));
      layersChecked++;
    } catch (e) {
      // A layer the reference has no kernel for (a float island op) leaves this runtime unchecked.
      cell.detail += `; layer check: ${(e as Error).message}`;
    }
  }
  return { integerOutputs, cells, worstWithinOne: worst, layersChecked, endToEnd };
}

/** Float model outputs in LiteRT.js, the reference every variant's SQNR is measured against. */
export async function floatReference(bytes: Uint8Array, inputs: HostTensor[][]): Promise<HostTensor[][]> {
  const o = await runOn('litert', bytes, inputs);
  if (!ran(o)) throw new Error(`the float model does not run in LiteRT.js: ${o.detail}`);
  return o.outputSets;
}
