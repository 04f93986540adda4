/**
 * IR Tensor -> ValueInfoProto / TypeProto. Values that are not plain tensors (sequences, maps,
 * optionals, sparse tensors) reach the IR as dtype 'unknown' with their type spelled in the last
 * line of `doc` (`type: sequence<tensor(float32)>`, see valueinfo.ts); that text is parsed back
 * so those graphs keep their types.
 */
import type { DType, Dim, Tensor } from '../../ir/types';
import type { Sink } from './encode';
import { checkDim, dtypeCode, fail, isOnnxDType } from './write-tensor';

type TypeNode =
  | { kind: 'tensor' | 'sparse'; dtype: DType; shape: Dim[] | null }
  | { kind: 'sequence' | 'optional'; elem: TypeNode }
  | { kind: 'map'; key: DType; value: TypeNode }
  | { kind: 'none' };

const NOTE = 'type: ';

/** The reader's type text (valueinfo.ts `decodeType`) as a TypeNode, or null if it is not one. */
function parseType(text: string): TypeNode | null {
  let i = 0;
  const eat = (s: string): boolean => {
    if (!text.startsWith(s, i)) return false;
    i += s.length;
    return true;
  };
  const dtype = (until: string): DType | null => {
    const j = text.indexOf(until, i);
    const d = j < 0 ? '' : text.slice(i, j);
    i = j;
    return isOnnxDType(d) ? d : null;
  };
  const node = (): TypeNode | null => {
    if (eat('no type')) return { kind: 'none' };
    const tensorKind = eat('tensor(') ? 'tensor' : eat('sparse_tensor(') ? 'sparse' : null;
    if (tensorKind) {
      const d = dtype(')');
      return d && eat(')') ? { kind: tensorKind, dtype: d, shape: null } : null;
    }
    const wrapper = eat('sequence<') ? 'sequence' : eat('optional<') ? 'optional' : null;
    if (wrapper) {
      const elem = node();
      return elem && eat('>') ? { kind: wrapper, elem } : null;
    }
    if (eat('map<')) {
      const key = dtype(', ');
      if (!key || !eat(', ')) return null;
      const value = node();
      return value && eat('>') ? { kind: 'map', key, value } : null;
    }
    return null;
  };
  const t = node();
  return t && i === text.length ? t : null;
}

/** The TypeProto and doc_string a tensor's ValueInfoProto gets. */
function typeOf(t: Tensor): { type: TypeNode | null; doc: string } {
  const doc = t.doc ?? '';
  const cut = doc.lastIndexOf('\n') + 1;
  if (doc.startsWith(NOTE, cut)) {
    const noted = parseType(doc.slice(cut + NOTE.length));
    const before = doc.slice(0, Math.max(0, cut - 1));
    // A note only stands for the type when the tensor agrees with it, as the reader leaves them.
    if (noted?.kind === 'sparse' && noted.dtype === t.dtype) return { type: { ...noted, shape: t.shape }, doc: before };
    if (noted && noted.kind !== 'tensor' && noted.kind !== 'sparse' && t.dtype === 'unknown' && t.shape === null) return { type: noted, doc: before };
  }
  if (t.dtype === 'unknown' && t.shape === null) return { type: null, doc };
  return { type: { kind: 'tensor', dtype: t.dtype, shape: t.shape }, doc };
}

/** ValueInfoProto fields: name, type (when anything is known), doc_string. */
export function encodeValueInfo(s: Sink, name: string, t: Tensor | undefined, withDoc: boolean): void {
  s.string(1, name);
  if (!t) return;
  const { type, doc } = typeOf(t);
  if (type) {
    s.begin(2);
    encodeType(s, type);
    s.end();
  }
  if (withDoc && doc) s.string(3, doc);
}

/** TypeProto from the reader's `{ type, dtype, shape }` (TYPE_PROTO attributes, kind 'json'). */
export function encodeTypeJson(s: Sink, v: unknown): void {
  const o = v as { type?: unknown; dtype?: unknown; shape?: unknown } | null;
  const parsed = typeof o?.type === 'string' ? parseType(o.type) : null;
  if (!parsed) fail(`type ${JSON.stringify(o?.type)} is not a type this writer can spell`);
  if (parsed.kind === 'tensor' || parsed.kind === 'sparse') {
    const shape = o!.shape;
    if (shape !== null && !Array.isArray(shape)) fail('a tensor type needs a shape array or null');
    parsed.shape = shape as Dim[] | null;
  }
  encodeType(s, parsed);
}

function encodeType(s: Sink, t: TypeNode): void {
  switch (t.kind) {
    case 'tensor': case 'sparse':
      s.begin(t.kind === 'tensor' ? 1 : 8);
      if (t.dtype !== 'unknown') s.int(1, dtypeCode(t.dtype));
      if (t.shape) encodeShape(s, t.shape);
      s.end();
      break;
    case 'sequence': case 'optional':
      s.begin(t.kind === 'sequence' ? 4 : 9);
      s.begin(1);
      encodeType(s, t.elem);
      s.end();
      s.end();
      break;
    case 'map':
      s.begin(5);
      if (t.key !== 'unknown') s.int(1, dtypeCode(t.key));
      s.begin(2);
      encodeType(s, t.value);
      s.end();
      s.end();
      break;
    case 'none':
      break;
  }
}

/** TensorShapeProto: a Dimension per dim, dim_value / dim_param / neither for unknown. */
function encodeShape(s: Sink, shape: Dim[]): void {
  s.begin(2);
  for (const d of shape) {
    checkDim(d, shape);
    s.begin(1);
    if (typeof d === 'number') s.int(1, d);
    else if (typeof d === 'string') s.string(2, d);
    s.end();
  }
  s.end();
}
