import { describe, expect, it } from 'vitest';
import type { Tensor } from '../ir/types';
import { countZeros, realValues, zeroBits } from './weights';

describe('zeroBits', () => {
  it('counts the zeros of float32 and float16 weights as decoding them would, both signed zeros', () => {
    const f = Float32Array.from([0, -0, 1, 0.5, 0, -2, 1e-30, 0]);
    const t32: Tensor = { name: 'w', dtype: 'float32', shape: [8], data: new Uint8Array(f.buffer) };
    expect(zeroBits(t32)).toEqual({ count: 8, zeros: countZeros(realValues(t32)) });
    expect(zeroBits(t32)!.zeros).toBe(4);
    // float16: +0, -0, 1.0, a subnormal (not zero), +0
    const h = Uint16Array.from([0x0000, 0x8000, 0x3c00, 0x0001, 0x0000]);
    const t16: Tensor = { name: 'h', dtype: 'float16', shape: [5], data: new Uint8Array(h.buffer) };
    expect(zeroBits(t16)).toEqual({ count: 5, zeros: countZeros(realValues(t16)) });
    expect(zeroBits(t16)!.zeros).toBe(3);
  });

  it('leaves quantized weights to decoding (their zero is the zero point)', () => {
    const q: Tensor = { name: 'q', dtype: 'int8', shape: [2], data: new Uint8Array([0, 5]), quant: { scale: [0.1], zeroPoint: [5] } };
    expect(zeroBits(q)).toBeNull();
  });
});
