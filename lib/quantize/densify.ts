/**
 * TFLite sparse constants (Tensor.sparsity: traversal order + per-dimension dense / CSR metadata)
 * back to dense row-major bytes, so a model that ships sparse weights behind DENSIFY (MediaPipe's
 * face_detection_full_range_sparse) can be calibrated and re-quantized like any other. Block
 * sparsity (a non-empty block map) is not expanded: the caller keeps such weights as they are.
 */
import type { Tensor } from '../ir/types';

const ELEMENT_BYTES: Record<string, number> = { float32: 4, float16: 2, int8: 1, uint8: 1, int16: 2, int32: 4 };

/** Dense bytes of a sparse constant, or null when it uses block sparsity or an unknown layout. */
export function densify(t: Tensor): Uint8Array | null {
  const sp = t.sparsity, data = t.data, size = ELEMENT_BYTES[t.dtype];
  if (!sp || !data || !size || !t.shape || t.shape.some((d) => typeof d !== 'number')) return null;
  const shape = t.shape as number[];
  const rank = shape.length;
  if (sp.blockMap.length > 0 || sp.traversalOrder.length !== rank || sp.dimMetadata.length !== rank) return null;
  const order = sp.traversalOrder;
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  const out = new Uint8Array(shape.reduce((a, b) => a * b, 1) * size);
  const coords = new Array<number>(rank).fill(0);
  let ok = true;
  const visit = (level: number, pos: number): void => {
    if (!ok) return;
    if (level === rank) {
      const at = coords.reduce((a, c, i) => a + c * strides[i]!, 0);
      if ((pos + 1) * size > data.length || at >= out.length / size) { ok = false; return; }
      out.set(data.subarray(pos * size, (pos + 1) * size), at * size);
      return;
    }
    const meta = sp.dimMetadata[level]!;
    const dim = order[level]!;
    if (meta.format === 'dense') {
      for (let j = 0; j < meta.denseSize; j++) { coords[dim] = j; visit(level + 1, pos * meta.denseSize + j); }
      return;
    }
    const start = meta.segments[pos], end = meta.segments[pos + 1];
    if (start === undefined || end === undefined) { ok = false; return; }
    for (let k = start; k < end; k++) { coords[dim] = meta.indices[k] ?? 0; visit(level + 1, k); }
  };
  visit(0, 0);
  return ok ? out : null;
}
