/** Damaged and hostile files: every failure is a ModelFormatError naming file, format and cause. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ModelFormatError } from '../errors';
import { readOnnx } from './index';
import { f32, len, model, msg, node, rawTensor, reluGraph, str, tag, valueInfo, varint, vint } from './testdata/wire';

function failure(bytes: Uint8Array | number[]): ModelFormatError {
  const b = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  try {
    readOnnx(b, 'bad.onnx');
  } catch (e) {
    expect(e).toBeInstanceOf(ModelFormatError);
    const err = e as ModelFormatError;
    expect(err.file).toBe('bad.onnx');
    expect(err.format).toBe('ONNX');
    expect(err.message).toContain('bad.onnx: cannot read as ONNX: ');
    return err;
  }
  throw new Error('expected the read to fail');
}

describe('ONNX reader on corrupt input', () => {
  it('accepts the well-formed base case used below', () => {
    expect(readOnnx(model(...reluGraph()), 'ok.onnx').graphs[0]!.nodes).toHaveLength(1);
  });

  it('rejects an empty file', () => {
    expect(failure([]).reason).toBe('the file is empty');
  });

  it('rejects a truncated varint', () => {
    expect(failure([0x08, 0x80]).reason).toMatch(/^truncated: varint in field ir_version runs past the end of the file at byte 1/);
  });

  it('rejects a varint longer than 10 bytes', () => {
    expect(failure([0x08, ...Array(11).fill(0xff), 0x01]).reason).toMatch(/malformed varint \(more than 10 bytes\) in field ir_version/);
  });

  it('rejects a length that runs past the end of the file, naming the field path', () => {
    const good = model(...reluGraph());
    const err = failure(good.subarray(0, good.length - 25));
    expect(err.reason).toMatch(/^truncated: field graph \(\d+ bytes from byte \d+\) runs past the end of the file at byte \d+/);
  });

  it('names the nested field that is damaged', () => {
    // node[1]'s attribute claims 50 bytes but the node message holds 3
    const badNode = msg(str(4, 'Relu'), str(1, 'y'), str(2, 'z'), tag(5, 2), varint(50), [1, 2, 3]);
    const bytes = model(len(1, node('Relu', ['x'], ['y'])), len(1, badNode));
    expect(failure(bytes).reason).toMatch(/^truncated: field graph\.node\[1\]\.attribute\[0\] \(50 bytes from byte \d+\) runs past the end of its enclosing message/);
  });

  it('fails at once on a 2^40-byte length', () => {
    const bytes = new Uint8Array([...vint(1, 8), ...tag(7, 2), ...varint(2 ** 40), 0, 0, 0]);
    const t0 = performance.now();
    expect(failure(bytes).reason).toBe('truncated: field graph (1099511627776 bytes from byte 9) runs past the end of the file at byte 12');
    expect(performance.now() - t0).toBeLessThan(50);
  });

  it('rejects a wrong wire type', () => {
    expect(failure([...vint(1, 8), ...vint(7, 1)]).reason).toBe(
      'field graph has wire type 0 (varint), expected 2 (length-delimited) at byte 3',
    );
    const badDims = rawTensor('w', 1, [], floatBytes4(), len(1, [1]));
    const m = model(...reluGraph(), len(5, msg(f32(1, 2), badDims)));
    expect(failure(m).reason).toMatch(/field graph\.initializer\[0\]\.dims has wire type 5 \(32-bit\), expected 0 \(varint\)/);
  });

  it('rejects group wire types and field number 0', () => {
    expect(failure([...vint(1, 8), ...tag(9, 3)]).reason).toMatch(/unsupported wire type 3 \(group start\)/);
    expect(failure([0x00, 0x01]).reason).toMatch(/invalid field number 0 at byte 0/);
  });

  it('rejects an unknown data_type', () => {
    const m = model(...reluGraph(), len(5, rawTensor('w', 99, [1], [0])));
    expect(failure(m).reason).toBe("unknown data_type 99 for tensor 'w' (in graph.initializer[0])");
  });

  it('rejects raw_data whose size does not fit dims', () => {
    const m = model(...reluGraph(), len(5, rawTensor('w', 1, [2, 3], floatBytes4())));
    expect(failure(m).reason).toBe("tensor 'w' has 4 bytes of raw_data but FLOAT dims [2, 3] need 24 (in graph.initializer[0])");
  });

  it('rejects a file without a graph', () => {
    expect(failure([...vint(1, 8), ...str(2, 'x')]).reason).toMatch(/^no graph: ModelProto field 7 \(graph\) is missing/);
  });

  it('explains external data and how to avoid it', () => {
    const ext = msg(vint(1, 2), vint(2, 1), str(8, 'w'), len(13, msg(str(1, 'location'), str(2, 'weights.bin'))), vint(14, 1));
    const reason = failure(model(...reluGraph(), len(5, ext))).reason;
    expect(reason).toContain("tensor 'w' stores its data in external file 'weights.bin'; external data is not supported");
    expect(reason).toContain('save_as_external_data=False');
  });

  it('caps the nesting depth of subgraphs', () => {
    // If nodes nested 70 deep through then_branch
    let g = msg(len(1, node('Identity', ['a'], ['b'])));
    for (let i = 0; i < 70; i++) g = msg(len(1, node('If', ['c'], ['o'], len(5, msg(str(1, 'then_branch'), vint(20, 5), len(6, g))))));
    const bytes = new Uint8Array(msg(vint(1, 8), len(7, g)));
    expect(failure(bytes).reason).toMatch(/^graphs nested deeper than 64 levels \(If\/Loop\/Scan bodies\)/);
  });

  it('caps the nesting depth of types', () => {
    let t = len(1, vint(1, 1));
    for (let i = 0; i < 70; i++) t = len(4, len(1, t));
    const vi = msg(str(1, 'seq'), len(2, t));
    expect(failure(model(...reluGraph(), len(13, vi))).reason).toMatch(/type nesting deeper than 64 levels/);
  });

  it('rejects a node without op_type', () => {
    expect(failure(model(len(1, msg(str(1, 'x'), str(2, 'y'))))).reason).toMatch(/node 0 \(unnamed\) has no op_type/);
  });

  it('throws only ModelFormatError for every truncation of a valid model', () => {
    const good = model(
      ...reluGraph(),
      len(5, rawTensor('w', 1, [2], floatBytes4(1.5, 2.5))),
      len(1, node('Add', ['y', 'w'], ['z'], len(5, msg(str(1, 'alpha'), f32(2, 0.5), vint(20, 1))))),
      len(13, valueInfo('z', 1, ['batch', 4])),
    );
    expect(readOnnx(good, 'ok.onnx').graphs[0]!.nodes).toHaveLength(2);
    for (let n = 1; n < good.length; n++) {
      try {
        readOnnx(good.subarray(0, n), 'cut.onnx');
      } catch (e) {
        expect(e, `prefix ${n}`).toBeInstanceOf(ModelFormatError);
      }
    }
  });

  it('survives random byte damage to real models without hanging or stray errors', () => {
    const real = new Uint8Array(readFileSync('/usr/share/libonnx-testdata/data/node/test_loop11/model.onnx'));
    let seed = 12345;
    const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    let failed = 0;
    const t0 = performance.now();
    for (let k = 0; k < 3000; k++) {
      const b = real.slice();
      for (let j = 0; j < 3; j++) b[Math.floor(rand() * b.length)] = Math.floor(rand() * 256);
      try {
        readOnnx(b, 'fuzz.onnx');
      } catch (e) {
        if (!(e instanceof ModelFormatError)) throw e;
        failed++;
      }
    }
    expect(failed).toBeGreaterThan(100);
    expect(performance.now() - t0).toBeLessThan(10_000);
  });
});

function floatBytes4(...xs: number[]): number[] {
  return [...new Uint8Array(new Float32Array(xs.length ? xs : [1]).buffer)];
}
