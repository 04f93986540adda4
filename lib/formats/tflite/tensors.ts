/** TFLite Tensor / Buffer tables -> IR tensors (dtype, shape, constant views, quantization, sparsity). */
import type { DType, Dim, Quantization, Sparsity, Tensor } from '../../ir/types';
import { CorruptFileError, type FlatReader, type Table, type Vec } from './flatbuf';

/** TensorType value names -> IR dtypes. Types without an IR dtype read as 'unknown'. */
const DTYPES: Record<string, DType> = {
  FLOAT32: 'float32', FLOAT16: 'float16', INT32: 'int32', UINT8: 'uint8', INT64: 'int64',
  STRING: 'string', BOOL: 'bool', INT16: 'int16', COMPLEX64: 'complex64', INT8: 'int8',
  FLOAT64: 'float64', COMPLEX128: 'complex128', UINT64: 'uint64', RESOURCE: 'resource',
  VARIANT: 'variant', UINT32: 'uint32', UINT16: 'uint16', INT4: 'int4', BFLOAT16: 'bfloat16',
  UINT4: 'uint4', INT2: 'int2', FLOAT8_E4M3FN: 'float8e4m3fn', FLOAT8_E5M2: 'float8e5m2',
};

export function dtypeOf(typeName: string | null): DType {
  return (typeName && DTYPES[typeName]) || 'unknown';
}

/**
 * Model.buffers, decoded on demand. Data is a view into the file: either the flatbuffer's
 * `data` vector or, for models over 2 GB, the region [offset, offset + size) after it.
 */
export class Buffers {
  private readonly cache = new Map<number, Uint8Array | null>();

  constructor(private readonly r: FlatReader, private readonly vec: Vec | null) {}

  get count(): number {
    return this.vec?.length ?? 0;
  }

  /** Bytes of buffer `index` (null when empty); `user` names the referrer for messages. */
  get(index: number, user: string): Uint8Array | null {
    const hit = this.cache.get(index);
    if (hit !== undefined) return hit;
    if (!this.vec || index < 0 || index >= this.vec.length) {
      throw new CorruptFileError(`${user} refers to buffer ${index} but the model has ${this.count} buffers`);
    }
    const b = this.r.tableAt(this.vec, index);
    let data: Uint8Array | null = null;
    const offset = b.num('offset');
    const size = b.num('size');
    if (offset > 1) {
      const end = offset + size;
      if (!Number.isSafeInteger(end) || end > this.r.length) {
        throw new CorruptFileError(`truncated: file is ${this.r.length} bytes but buffer ${index} ends at ${end}`);
      }
      data = size > 0 ? this.r.bytes.subarray(offset, end) : null;
    } else {
      const v = b.vec('data');
      data = v && v.length > 0 ? this.r.view(v) : null;
    }
    this.cache.set(index, data);
    return data;
  }
}

function dims(r: FlatReader, v: Vec | null): number[] {
  return v ? r.numbers(v) : [];
}

function quantization(r: FlatReader, q: Table | null): Quantization | undefined {
  if (!q) return undefined;
  const vec = (name: string): number[] | undefined => {
    const v = q.vec(name);
    return v && v.length > 0 ? r.numbers(v) : undefined;
  };
  const scale = vec('scale');
  const min = vec('min');
  const max = vec('max');
  if (!scale && !min && !max) return undefined;
  const out: Quantization = { scale: scale ?? [], zeroPoint: vec('zero_point') ?? [] };
  if (out.scale.length > 1) out.axis = q.num('quantized_dimension');
  if (min) out.min = min;
  if (max) out.max = max;
  return out;
}

const INDEX_VECTORS = ['NONE', 'Int32Vector', 'Uint16Vector', 'Uint8Vector'];

function indexVector(r: FlatReader, dm: Table, name: string): number[] {
  const u = dm.union(name, INDEX_VECTORS);
  if (!u?.table) return [];
  return dims(r, u.table.vec('values'));
}

function sparsity(r: FlatReader, s: Table | null): Sparsity | undefined {
  if (!s) return undefined;
  const meta = s.vec('dim_metadata');
  const dimMetadata: Sparsity['dimMetadata'] = [];
  for (let i = 0; i < (meta?.length ?? 0); i++) {
    const dm = r.tableAt(meta!, i);
    if (dm.num('format') === 0) {
      dimMetadata.push({ format: 'dense', denseSize: dm.num('dense_size') });
    } else {
      dimMetadata.push({
        format: 'sparse',
        segments: indexVector(r, dm, 'array_segments'),
        indices: indexVector(r, dm, 'array_indices'),
      });
    }
  }
  return { traversalOrder: dims(r, s.vec('traversal_order')), blockMap: dims(r, s.vec('block_map')), dimMetadata };
}

/** Decodes one Tensor table; `name` is the already de-duplicated graph-unique name. */
export function readTensor(r: FlatReader, t: Table, name: string, buffers: Buffers, where: string): Tensor {
  const sig = t.vec('shape_signature');
  // shape_signature carries -1 for unknown dimensions; shape has the sizes used at conversion.
  const shape: Dim[] = sig && sig.length > 0
    ? r.numbers(sig).map((d) => (d < 0 ? null : d))
    : dims(r, t.vec('shape'));
  const out: Tensor = { name, dtype: dtypeOf(t.enumName('type')), shape };
  const data = buffers.get(t.num('buffer'), where);
  if (data) {
    out.data = data;
    if (!t.bool('is_variable')) out.isConstant = true;
  }
  const q = quantization(r, t.sub('quantization'));
  if (q) out.quant = q;
  const sp = sparsity(r, t.sub('sparsity'));
  if (sp) out.sparsity = sp;
  return out;
}
