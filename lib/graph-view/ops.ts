import type { AttrValue, Dim, Graph, Node } from '../ir/types';
import type { OpCategory } from './types';

/** 'onnx.Conv' -> 'Conv'; 'tfl.CONV_2D' -> 'CONV_2D'. */
export function opLabel(op: string): string {
  const dot = op.indexOf('.');
  return dot >= 0 ? op.slice(dot + 1) : op;
}

/** Normalised for matching across dialects: 'CONV_2D', 'Conv2D', 'conv' -> 'conv2d', 'conv'. */
function norm(op: string): string {
  return opLabel(op).toLowerCase().replace(/[_\s]/g, '');
}

// Ordered: the first matching rule wins ('quantizelinear' before 'linear'-ish rules, etc.).
const RULES: Array<[OpCategory, RegExp]> = [
  ['quant', /quantize|dequantize|fakequant|qlinear|requant|dynamicquantize/],
  ['control', /^(if|loop|scan|while|callonce|call|switch|merge|enter|exit|nextiteration|loopcond|statelesswhile|statelessif|partitionedcall|statefulpartitionedcall)$/],
  ['conv', /conv|depthwise|deconv/],
  ['matmul', /matmul|gemm|dense|fullyconnected|batchmatmul|einsum|linear|attention/],
  ['pooling', /pool|globalaverage|globalmax|lppool|roialign/],
  ['norm', /norm|lrn|localresponse|l2normalization|instancenorm|moments/],
  ['activation', /^(relu|relu6|relun1to1|leakyrelu|prelu|elu|selu|celu|gelu|sigmoid|hardsigmoid|hardswish|swish|silu|tanh|softmax|logsoftmax|softplus|softsign|mish|thresholdedrelu|logistic|erf|clip|clipbyvalue)$/],
  ['shape', /^(reshape|flatten|squeeze|unsqueeze|expanddims|transpose|concat|concatenation|concatv2|split|splitv|slice|stridedslice|gather|gathernd|gatherelements|scatter|scatternd|scatterelements|pad|padv2|mirrorpad|tile|expand|shape|size|broadcastto|resize|resizebilinear|resizenearestneighbor|upsample|depthtospace|spacetodepth|pack|unpack|identity|cast|range|onehot|where|nonzero|topk|topkv2|reverse|reversev2|constantofshape|flattenbatch)$/],
  ['reduce', /^(reduce|argmax|argmin|sum|mean|max|min|prod|cumsum|all|any)/],
  ['constant', /^(constant|const|placeholder|variablev2|readvariableop)$/],
  ['elementwise', /^(add|addv2|sub|mul|div|realdiv|floordiv|floormod|mod|pow|sqrt|rsqrt|exp|log|abs|neg|maximum|minimum|square|squareddifference|reciprocal|floor|ceil|round|sin|cos|not|and|or|xor|equal|greater|greaterequal|less|lessequal|notequal|sign|addn|biasadd|sum)$/],
];

export function opCategory(op: string, custom?: boolean): OpCategory {
  if (custom) return 'custom';
  const k = norm(op);
  for (const [cat, re] of RULES) if (re.test(k)) return cat;
  return 'other';
}

/** Up to ~2 key attributes as short text: '3x3 /2 SAME', 'axis=1', 'perm=0,2,3,1'. */
export function opDetail(node: Node, graph: Graph): string | undefined {
  const a = node.attrs;
  const parts: string[] = [];
  const kernel = kernelOf(node, graph);
  if (kernel) parts.push(kernel);
  const stride = ints(a['strides']) ?? pair(a['stride_h'], a['stride_w']);
  if (stride && kernel !== undefined) {
    const s = stride.length === 4 && stride[0] === 1 ? stride.slice(1, 3) : stride;
    if (s.some((v) => v !== 1)) parts.push('/' + squash(s));
  }
  const pad = padding(a['auto_pad'] ?? a['padding']);
  if (pad) parts.push(pad);
  const group = num(a['group']);
  if (group !== undefined && group > 1) parts.push(`g=${group}`);
  if (parts.length === 0) {
    for (const k of ['axis', 'axes', 'perm', 'mode', 'to', 'keepdims', 'alpha']) {
      const v = a[k];
      if (!v) continue;
      const text = short(v);
      if (text !== undefined) parts.push(`${k}=${text}`);
      if (parts.length >= 2) break;
    }
  }
  const act = a['fused_activation_function'];
  if (act && act.kind === 'string' && act.value && act.value !== 'NONE') parts.push(act.value);
  const out = parts.join(' ');
  return out ? (out.length > 32 ? out.slice(0, 31) + '…' : out) : undefined;
}

function kernelOf(node: Node, graph: Graph): string | undefined {
  const a = node.attrs;
  const ks = ints(a['kernel_shape']) ?? ints(a['ksize']) ?? pair(a['filter_height'], a['filter_width']);
  if (ks) {
    const k = ks.length === 4 && ks[0] === 1 ? ks.slice(1, 3) : ks;
    return squash(k, 'x');
  }
  const cat = opCategory(node.op);
  if (cat !== 'conv') return undefined;
  // Kernel from the weight: ONNX [O, I, kH, kW]; TFLite CONV_2D [O, kH, kW, I], DEPTHWISE [1, kH, kW, O].
  const w = node.inputs[1] ? graph.tensors.get(node.inputs[1]) : undefined;
  const shape = w?.shape;
  if (!shape || shape.length !== 4) return undefined;
  const dims: Dim[] = node.op.startsWith('onnx.') ? shape.slice(2) : node.op.startsWith('tfl.') ? shape.slice(1, 3) : shape.slice(0, 2);
  if (!dims.every((d): d is number => typeof d === 'number')) return undefined;
  return squash(dims, 'x');
}

/** Kernels read '3x3'; strides read '2' when all equal, '1,2' otherwise. */
function squash(v: number[], sep = ','): string {
  if (sep === ',' && v.length > 0 && v.every((x) => x === v[0])) return String(v[0]);
  return v.join(sep);
}

function ints(v: AttrValue | undefined): number[] | undefined {
  if (!v) return undefined;
  if (v.kind === 'ints' && v.value.length > 0 && v.value.length <= 8) return v.value;
  if (v.kind === 'int') return [v.value];
  return undefined;
}

function num(v: AttrValue | undefined): number | undefined {
  return v && (v.kind === 'int' || v.kind === 'float') ? v.value : undefined;
}

function pair(h: AttrValue | undefined, w: AttrValue | undefined): number[] | undefined {
  const a = num(h), b = num(w);
  return a !== undefined && b !== undefined ? [a, b] : undefined;
}

function padding(v: AttrValue | undefined): string | undefined {
  if (!v) return undefined;
  // TFLite's Padding enum: SAME = 0, VALID = 1.
  if (v.kind === 'int') return v.value === 0 ? 'SAME' : v.value === 1 ? 'VALID' : undefined;
  if (v.kind !== 'string') return undefined;
  const s = v.value.toUpperCase();
  if (s.startsWith('SAME')) return 'SAME';
  if (s === 'VALID') return 'VALID';
  return undefined;
}

function short(v: AttrValue): string | undefined {
  switch (v.kind) {
    case 'int': case 'float': return String(v.value);
    case 'bool': return String(v.value);
    case 'string': return v.value.length <= 12 ? v.value : undefined;
    case 'dtype': return v.value;
    case 'ints': return v.value.length <= 6 ? v.value.join(',') : undefined;
    default: return undefined;
  }
}

const MAX_DIM_NAME = 10;

/**
 * A dim as drawn: long symbolic names ('p2o.DynamicDimension.0', 'unk__1234') keep their head
 * and their trailing number, so neighbouring dims stay told apart: 'p2o.…0'.
 */
export function shortDim(d: Dim): string {
  if (d === null) return '?';
  const s = String(d);
  if (typeof d === 'number' || s.length <= MAX_DIM_NAME) return s;
  const tail = /\d+$/.exec(s)?.[0] ?? s.slice(-2);
  return `${s.slice(0, 4)}…${tail.length > 4 ? tail.slice(-4) : tail}`;
}

/** The full text of a shape, symbolic names unshortened ('?' unknown, 'scalar' rank 0). */
export function shapeTitle(shape: Dim[] | null | undefined, sep = 'x'): string {
  if (!shape) return '?';
  if (shape.length === 0) return 'scalar';
  return shape.map((d) => (d === null ? '?' : String(d))).join(sep);
}

/** '1x32x28x28'; '?' for unknown dims or rank; 'scalar' for rank 0; long dim names shortened. */
export function shapeLabel(shape: Dim[] | null | undefined): string {
  if (!shape) return '?';
  if (shape.length === 0) return 'scalar';
  const s = shape.map(shortDim).join('x');
  return s.length > 40 ? s.slice(0, 39) + '…' : s;
}
