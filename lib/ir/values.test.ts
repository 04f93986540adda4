import { describe, expect, it } from 'vitest';
import { halfBytesToFloats, halfToFloat } from './values';

describe('halfBytesToFloats', () => {
  it('decodes every float16 bit pattern as halfToFloat does', () => {
    const raw = new Uint8Array(65536 * 2);
    for (let h = 0; h < 65536; h++) { raw[2 * h] = h & 0xff; raw[2 * h + 1] = h >> 8; }
    const got = halfBytesToFloats(raw);
    for (let h = 0; h < 65536; h++) {
      const want = Math.fround(halfToFloat(h));
      if (Number.isNaN(want)) expect(Number.isNaN(got[h]!)).toBe(true);
      else expect(Object.is(got[h], want), `0x${h.toString(16)}`).toBe(true);
    }
  });
});
