/**
 * Test helpers for lib/report: a hand-built comparison of the Fashion-MNIST sample (numbers in
 * the README's range) and a small HTML well-formedness checker, since no HTML parser is a dependency.
 */
import type { ComparisonData, EvalResult, LatencyResult, LayerError, VariantSummary } from '../compare/types';

const T0 = Date.UTC(2025, 5, 3, 9, 30);
const DEVICE = 'Mozilla/5.0 (X11; Linux x86_64) Chrome/137.0 · 2 cores · no GPU adapter';
const DATASET = '1000 bundled Fashion-MNIST test images (labelled)';

const convert = { transform: 'onnx-to-tfl', options: { keepLayout: false } };
const quant = (mode: string, extra: Record<string, unknown> = {}) => ({ transform: 'quantize', options: { mode, ...extra } });

function variant(id: string, label: string, mode: string, format: VariantSummary['format'], bytes: number, gzipBytes: number, extra: Partial<VariantSummary> = {}): VariantSummary {
  return { id, label, mode, format, fileName: `fashion-mnist-cnn-${id}.${format === 'onnx' ? 'onnx' : 'tflite'}`, bytes, gzipBytes, recipe: [], ...extra };
}

function ev(variantId: string, runtime: string, accuracy: number, top1: number, sqnr: number, at = T0): EvalResult {
  return { variant: variantId, runtime, backend: 'wasm', dataset: DATASET, metrics: { count: 1000, accuracy, top1Agreement: top1, top5Overlap: 0.998, cosine: 0.9995, sqnrDb: sqnr }, at };
}

function lat(variantId: string, runtime: string, medianMs: number, p90Ms: number): LatencyResult {
  return { variant: variantId, runtime, backend: 'wasm', runs: 100, warmup: 10, medianMs, p90Ms, device: DEVICE, at: T0 + 60_000 };
}

const layers = (names: [string, string, number][]): LayerError[] => names.map(([node, op, sqnrDb]) => ({ node, op, sqnrDb }));

export function sampleData(): ComparisonData {
  const variants: VariantSummary[] = [
    variant('original', 'fashion-mnist-cnn.onnx', 'float', 'onnx', 628_412, 581_230),
    variant('v1', 'float (converted)', 'float', 'tflite', 628_048, 580_912, { parent: 'original', recipe: [convert], exportCheck: { ok: true, detail: 'LiteRT.js, tfjs-tflite and Arm NN load it and agree' } }),
    variant('v2', 'float16', 'float16', 'tflite', 315_604, 290_117, { parent: 'v1', recipe: [convert, quant('float16')], exportCheck: { ok: true, detail: 'LiteRT.js and tfjs-tflite agree; Arm NN lacks float16' } }),
    variant('v3', 'full int8', 'int8', 'tflite', 161_452, 139_880, { parent: 'v1', recipe: [convert, quant('int8', { calibration: { source: 'samples', count: 500 }, method: 'percentile:99.99', io: 'float32' })], exportCheck: { ok: true, detail: 'LiteRT.js, tfjs-tflite and Arm NN agree' } }),
    variant('v4', 'pruned 50% (global magnitude)', 'float + pruned 50%', 'tflite', 628_048, 337_512, { parent: 'v1', recipe: [convert, { transform: 'prune', options: { sparsity: 0.5, scope: 'global' } }] }),
    variant('v5', 'int8 QDQ .onnx', 'int8 QDQ', 'onnx', 169_804, 146_300, { parent: 'original', recipe: [quant('int8 QDQ', { activations: 'uint8' })], exportCheck: { ok: false, detail: 'onnxruntime-web loads it; the Arm NN check does not apply to ONNX' } }),
  ];
  return {
    model: { name: 'fashion-mnist-cnn.onnx', format: 'onnx', bytes: 628_412 },
    device: DEVICE,
    variants,
    evals: [
      ev('original', 'ort', 0.8991, 1, Infinity),
      ev('v1', 'litert', 0.8991, 1, 71.3),
      ev('v2', 'litert', 0.8991, 1, 52.8),
      ev('v3', 'tfjs', 0.8979, 0.994, 27.9, T0 - 3_600_000),
      ev('v3', 'litert', 0.8982, 0.995, 28.4),
      ev('v4', 'litert', 0.9024, 0.961, 12.6),
      ev('v5', 'ort', 0.8985, 0.996, 29.1),
    ],
    latencies: [
      lat('original', 'ort', 0.212, 0.281),
      lat('v1', 'litert', 0.341, 0.402),
      lat('v2', 'litert', 0.352, 0.419),
      lat('v3', 'litert', 0.291, 0.337),
      lat('v4', 'litert', 0.338, 0.397),
      lat('v5', 'ort', 0.405, 0.522),
      lat('v1', 'tfjs', 1.84, 2.31),
      lat('v3', 'tfjs', 1.62, 2.05),
    ],
    layerErrors: {
      v3: layers([['conv1', 'tfl.CONV_2D', 38.2], ['relu1', 'tfl.RELU', 38.2], ['pool1', 'tfl.MAX_POOL_2D', 37.9], ['conv2', 'tfl.CONV_2D', 31.5], ['relu2', 'tfl.RELU', 31.7],
        ['pool2', 'tfl.MAX_POOL_2D', 31.6], ['flatten', 'tfl.RESHAPE', 31.6], ['dense1', 'tfl.FULLY_CONNECTED', 26.4], ['dense2', 'tfl.FULLY_CONNECTED', 29.8], ['softmax', 'tfl.SOFTMAX', 33.0]]),
      v5: layers([['/conv1/Conv', 'onnx.Conv', 36.9], ['/conv2/Conv', 'onnx.Conv', 30.2], ['/fc1/Gemm', 'onnx.Gemm', 25.1], ['/fc2/Gemm', 'onnx.Gemm', 28.7], ['/Reshape', 'onnx.Reshape', Infinity]]),
    },
    generatedAt: '2025-06-03T09:45:12.000Z',
  };
}

export const HOSTILE = '<script>alert(1)</script>';
export const HOSTILE_ATTR = '" onmouseover="alert(2)" x="';

/** The sample with untrusted strings in every place a string can go. */
export function hostileData(): ComparisonData {
  const d = sampleData();
  d.model.name = `${HOSTILE}.onnx`;
  d.device = `${HOSTILE_ATTR} & <b>`;
  d.variants[3]!.label = `${HOSTILE}${HOSTILE_ATTR}`;
  d.variants[3]!.mode = 'int8 <i>';
  d.variants[3]!.exportCheck = { ok: false, detail: `${HOSTILE} </script><img src=x onerror=alert(3)>` };
  d.variants[2]!.recipe = [{ transform: 'quantize', options: { note: `</script>${HOSTILE}`, keep: [HOSTILE_ATTR] } }];
  d.evals[0]!.dataset = `${HOSTILE}`;
  d.latencies[0]!.runtime = `<svg onload=alert(4)>`;
  d.layerErrors.v3![2]!.node = HOSTILE;
  d.layerErrors.v3![3]!.op = HOSTILE_ATTR;
  return d;
}

const VOID = new Set(['meta', 'br', 'hr', 'img', 'input', 'link', 'col', 'wbr', 'area', 'base', 'source']);
const RAW_TEXT = new Set(['script', 'style', 'title', 'textarea']);
const ENTITY = /^&(?:[a-zA-Z]+|#\d+|#x[0-9a-fA-F]+);/;
const TAG = /<(\/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[a-zA-Z_:][-a-zA-Z0-9_:.]*(?:="[^"<]*")?)*)\s*(\/?)>/y;

function checkEntities(s: string, where: string): void {
  for (let i = s.indexOf('&'); i >= 0; i = s.indexOf('&', i + 1)) {
    if (!ENTITY.test(s.slice(i))) throw new Error(`bare & in ${where}: ${JSON.stringify(s.slice(i, i + 20))}`);
  }
}

/**
 * Strict enough to catch what string building gets wrong: every tag closed in order, quoted
 * attributes without duplicates, no stray `<` or bare `&`, self-closing only in SVG, unique ids.
 * Returns the number of elements.
 */
export function checkWellFormed(html: string): number {
  const stack: string[] = [];
  const ids = new Set<string>();
  let i = 0, count = 0, svgDepth = 0;
  const doctype = /^<!doctype html>\s*/i.exec(html);
  if (!doctype) throw new Error('no doctype');
  i = doctype[0].length;
  while (i < html.length) {
    const lt = html.indexOf('<', i);
    const textEnd = lt < 0 ? html.length : lt;
    checkEntities(html.slice(i, textEnd), `text at ${i}`);
    if (lt < 0) break;
    TAG.lastIndex = lt;
    const m = TAG.exec(html);
    if (!m) throw new Error(`stray < at ${lt}: ${JSON.stringify(html.slice(lt, lt + 40))}`);
    const [whole, close, rawName, attrs, selfClose] = m;
    const name = rawName!.toLowerCase();
    i = lt + whole.length;
    if (close) {
      const top = stack.pop();
      if (top !== name) throw new Error(`</${name}> at ${lt} closes <${top}>`);
      if (name === 'svg') svgDepth--;
      continue;
    }
    count++;
    const seen = new Set<string>();
    for (const a of attrs!.matchAll(/([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:="([^"]*)")?/g)) {
      if (seen.has(a[1]!)) throw new Error(`duplicate attribute ${a[1]} on <${name}> at ${lt}`);
      seen.add(a[1]!);
      if (a[2] !== undefined) checkEntities(a[2], `attribute ${a[1]} at ${lt}`);
      if (a[1] === 'id') { if (ids.has(a[2]!)) throw new Error(`duplicate id ${a[2]}`); ids.add(a[2]!); }
    }
    if (VOID.has(name)) continue;
    if (selfClose) { if (!svgDepth) throw new Error(`self-closing <${name}/> outside SVG at ${lt}`); continue; }
    if (RAW_TEXT.has(name)) {
      const end = html.toLowerCase().indexOf(`</${name}`, i);
      if (end < 0) throw new Error(`<${name}> never closed`);
      if (name === 'title' || name === 'textarea') checkEntities(html.slice(i, end), `<${name}>`);
      i = end;
    }
    if (name === 'svg') svgDepth++;
    stack.push(name);
  }
  if (stack.length) throw new Error(`unclosed: ${stack.join(' > ')}`);
  return count;
}
