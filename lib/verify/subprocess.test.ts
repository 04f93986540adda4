import { describe, expect, it } from 'vitest';
import type { HostTensor } from '../runtime/types';
import { decodeResponse, encodeRequest, runChild } from './subprocess';

const node = (code: string, timeoutMs = 20_000) => runChild({ command: process.execPath, args: ['-e', code], timeoutMs }, Buffer.alloc(0));

function response(header: object, ...chunks: Uint8Array[]): Buffer {
  const json = Buffer.from(JSON.stringify(header));
  const len = Buffer.alloc(4);
  len.writeUInt32LE(json.length);
  return Buffer.concat([len, json, ...chunks]);
}

describe('wire format', () => {
  it('encodes run-major input sets after the model bytes', () => {
    const a: HostTensor = { name: 'a', dtype: 'int8', shape: [2], data: Int8Array.from([-1, 2]) };
    const b: HostTensor = { name: 'a', dtype: 'int8', shape: [2], data: Int8Array.from([3, -4]) };
    const buf = encodeRequest(Uint8Array.from([9, 9, 9]), [[a], [b]]);
    const hlen = buf.readUInt32LE(0);
    const header = JSON.parse(buf.subarray(4, 4 + hlen).toString());
    expect(header).toMatchObject({ modelBytes: 3, runs: 2, inputs: [{ byteLength: 2 }, { byteLength: 2 }] });
    expect(Array.from(buf.subarray(4 + hlen))).toEqual([9, 9, 9, 0xff, 2, 3, 0xfc]);
  });

  it('decodes outputs into aligned typed arrays and rejects truncated payloads', () => {
    const data = Float32Array.from([1.5, -2]);
    // An odd header length puts the payload at an unaligned offset: the decoder must copy.
    const r = decodeResponse(response({ ok: true, outputs: [{ name: 'y', dtype: 'float32', shape: [2], byteLength: 8 }], pad: 'x' }, new Uint8Array(data.buffer)));
    expect(Array.from(r.outputs[0]!.data as Float32Array)).toEqual([1.5, -2]);
    expect(() => decodeResponse(response({ ok: true, outputs: [{ name: 'y', dtype: 'float32', shape: [2], byteLength: 8 }] }, new Uint8Array(4)))).toThrow(/runs past the end/);
    expect(() => decodeResponse(Buffer.from([200, 0, 0, 0, 1]))).toThrow(/runs past the end/);
    expect(() => decodeResponse(response({ outputs: [{ name: 's', dtype: 'string', shape: [1], byteLength: 0 }] }))).toThrow(/no host array type/);
  });
});

describe('runChild', () => {
  it('reports a child killed by a signal as an error result', async () => {
    const r = await node("process.kill(process.pid, 'SIGSEGV')");
    expect(r).toMatchObject({ ok: false, kind: 'error', stage: 'crash' });
    expect(r.ok || r.message).toMatch(/SIGSEGV/);
  });

  it('kills a child that runs past its timeout', async () => {
    const t0 = Date.now();
    const r = await node('setInterval(() => {}, 1000)', 500);
    expect(r).toMatchObject({ ok: false, kind: 'error', stage: 'timeout' });
    expect(Date.now() - t0).toBeLessThan(10_000);
  });

  it('reports garbage on stdout with the exit code and stderr tail', async () => {
    const r = await node("process.stdout.write('hello'); console.error('boom'); process.exit(3)");
    expect(r).toMatchObject({ ok: false, kind: 'error', stage: 'protocol' });
    expect(r.ok || r.message).toMatch(/exit code 3.*boom/s);
  });

  it('reports a command that does not exist', async () => {
    const r = await runChild({ command: '/nonexistent/python', args: [], timeoutMs: 5000 }, Buffer.alloc(0));
    expect(r).toMatchObject({ ok: false, kind: 'error', stage: 'spawn' });
  });
});
