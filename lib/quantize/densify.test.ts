import { describe, expect, it } from 'vitest';
import type { Tensor } from '../ir/types';
import { densify } from './densify';

const f32 = (v: number[]) => new Uint8Array(Float32Array.from(v).buffer);

describe('densify (TFLite sparsity -> dense bytes)', () => {
  it('CSR rows: dense outer dim, sparse inner dim', () => {
    const t: Tensor = {
      name: 'w', dtype: 'float32', shape: [2, 3], data: f32([1, 2, 3]), isConstant: true,
      sparsity: { traversalOrder: [0, 1], blockMap: [], dimMetadata: [{ format: 'dense', denseSize: 2 }, { format: 'sparse', segments: [0, 1, 3], indices: [2, 0, 1] }] },
    };
    expect(Array.from(new Float32Array(densify(t)!.buffer))).toEqual([0, 0, 1, 2, 3, 0]);
  });

  it('a traversal order other than row-major (column-major storage)', () => {
    const t: Tensor = {
      name: 'w', dtype: 'float32', shape: [2, 2], data: f32([5, 6]), isConstant: true,
      // Columns first: column 0 holds row 1, column 1 holds row 0.
      sparsity: { traversalOrder: [1, 0], blockMap: [], dimMetadata: [{ format: 'dense', denseSize: 2 }, { format: 'sparse', segments: [0, 1, 2], indices: [1, 0] }] },
    };
    expect(Array.from(new Float32Array(densify(t)!.buffer))).toEqual([0, 6, 5, 0]);
  });

  it('refuses block sparsity and malformed metadata instead of guessing', () => {
    const base: Tensor = { name: 'w', dtype: 'float32', shape: [2, 2], data: f32([1]), isConstant: true };
    expect(densify({ ...base, sparsity: { traversalOrder: [0, 1, 2, 3], blockMap: [0, 1], dimMetadata: [] } })).toBeNull();
    expect(densify({ ...base, sparsity: { traversalOrder: [0, 1], blockMap: [], dimMetadata: [{ format: 'dense', denseSize: 2 }, { format: 'sparse', segments: [0, 5], indices: [0] }] } })).toBeNull();
  });
});
