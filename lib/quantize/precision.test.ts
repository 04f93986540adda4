import { describe, expect, it } from 'vitest';
import { layerMatcher } from './precision';

describe('layerMatcher', () => {
  it('takes a converted ONNX node name as a name, whatever slashes it has', () => {
    const m = layerMatcher('/MaxPool_1_output_0/pool');
    expect(m('/MaxPool_1_output_0/pool')).toBe(true);
    expect(m('/MaxPool_1_output_0')).toBe(false);
    expect(layerMatcher('/conv2/Conv')('/conv2/Conv')).toBe(true);
    expect(layerMatcher('/conv2/Conv')('/conv2/Conv_1')).toBe(false);
  });

  it('reads /pattern/flags as a regular expression', () => {
    expect(layerMatcher('/^fc\\d$/i')('FC2')).toBe(true);
    expect(layerMatcher('/fc2/')('model/fc2/MatMul')).toBe(true);
    expect(layerMatcher('/^fc$/')('fc1')).toBe(false);
  });

  it('names a broken pattern', () => {
    expect(() => layerMatcher('/(unclosed/')).toThrow(/not a valid regular expression/);
  });
});
