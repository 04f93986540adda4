/**
 * ONNX writer on real files: read -> write -> read gives the same IR on every Debian
 * libonnx-testdata model and every ONNX fixture, and the written bytes decode with protobufjs
 * (a decoder independent of ours) to the same nodes, attributes, initializers, inputs, outputs
 * and value_info as the originals. Also: write.rich.test.ts (every field the reader maps),
 * write.code.test.ts (models built by code, errors), write.ort.test.ts (onnxruntime runs).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { readOnnx } from './index';
import { writeOnnx } from './write';
import { fixtureModels, irDiff, libonnxModels, roundTrip } from './write-test-helpers';

const HERE = path.dirname(new URL(import.meta.url).pathname);
const ModelProto = protobuf.loadSync(path.join(HERE, 'testdata/onnx.proto')).lookupType('onnx.ModelProto');

const bytesOf = (p: string) => new Uint8Array(readFileSync(p));

function expectRoundTrips(files: string[]): void {
  const failures: string[] = [];
  for (const f of files) {
    const { diff, stable } = roundTrip(bytesOf(f), path.basename(f));
    if (diff.length) failures.push(`${f}:\n  ${diff.join('\n  ')}`);
    if (!stable) failures.push(`${f}: writing the reread model gave different bytes`);
  }
  expect(failures).toEqual([]);
}

describe('read -> write -> read gives the same IR', () => {
  it('on all libonnx-testdata models (node, pytorch-converted, pytorch-operator, simple)', () => {
    const files = libonnxModels();
    expect(files.length).toBeGreaterThanOrEqual(1000);
    expectRoundTrips(files);
  });

  it('on the ONNX fixtures (manifest, fixtures/third_party, public/models)', () => {
    const files = fixtureModels();
    const missing = files.filter((f) => !existsSync(f));
    if (missing.length) throw new Error(`missing fixtures (run node scripts/fetch-models.mjs): ${missing.join(', ')}`);
    expect(files.filter((f) => f.includes('third_party')).length).toBeGreaterThanOrEqual(11);
    expectRoundTrips(files);
  });
});

/** What protobufjs decodes from a graph, in a form where original and written bytes must agree. */
interface PbGraph {
  node: Array<{ opType: string; domain?: string; input?: string[]; output?: string[]; attribute?: Array<{ name: string; type: number; g?: PbGraph; graphs?: PbGraph[] }> }>;
  input?: Array<{ name: string; type?: unknown }>;
  output?: Array<{ name: string; type?: unknown }>;
  initializer?: Array<{ name: string; dims?: number[]; dataType: number; rawData?: Uint8Array }>;
  valueInfo?: Array<{ name: string; type?: unknown }>;
}

const byName = (a: { name: string }, b: { name: string }) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** A TypeProto as the IR keeps it: tensors inside sequence / optional / map types lose their shape. */
function typeFacts(type: unknown, nested = false): unknown {
  if (typeof type !== 'object' || type === null) return type ?? null;
  return Object.fromEntries(Object.entries(type).filter(([k]) => !(nested && k === 'shape')).map(([k, v]) => [k, typeFacts(v, nested || /^(sequence|optional|map)Type$/.test(k))]));
}

/**
 * `typed`: names of initializers the original stores in typed fields (float_data, int64_data...),
 * which the writer turns into raw_data: their bytes are compared through the IR, not here.
 */
function graphFacts(g: PbGraph, ir: number, typed: Set<string>, original: boolean): unknown {
  const inits = g.initializer ?? [];
  const isInit = new Set(inits.map((t) => t.name));
  return {
    nodes: g.node.map((n) => ({
      op: n.opType, domain: n.domain ?? '', inputs: n.input ?? [], outputs: n.output ?? [],
      attrs: (n.attribute ?? []).map((a) => ({
        name: a.name, type: a.type,
        graphs: [...(a.g ? [a.g] : []), ...(a.graphs ?? [])].map((sub) => graphFacts(sub, ir, typed, original)),
      })),
    })),
    // IR 4+ files may list initializers as inputs (overridable defaults); the IR keeps them as constants.
    inputs: (g.input ?? []).filter((v) => ir <= 3 || !isInit.has(v.name)).map((v) => ({ name: v.name, type: typeFacts(v.type) })).sort(byName),
    outputs: (g.output ?? []).map((v) => ({ name: v.name, type: typeFacts(v.type) })),
    valueInfo: (g.valueInfo ?? []).map((v) => ({ name: v.name, type: typeFacts(v.type) })).sort(byName),
    initializers: inits.map((t) => {
      if (original && !t.rawData?.length) typed.add(t.name);
      return { name: t.name, dims: t.dims ?? [], type: t.dataType, raw: typed.has(t.name) ? null : Buffer.from(t.rawData ?? []).toString('hex') };
    }).sort(byName),
  };
}

function pbFacts(bytes: Uint8Array, typed: Set<string>, original: boolean): unknown {
  const m = ModelProto.toObject(ModelProto.decode(bytes), { longs: Number, enums: Number, defaults: false }) as {
    irVersion: number; opsetImport: Array<{ domain?: string; version: number }>; graph: PbGraph;
  };
  const opsets = Object.fromEntries(m.opsetImport.map((o) => [o.domain === 'ai.onnx' ? '' : (o.domain ?? ''), o.version]));
  return { ir: m.irVersion, opsets, graph: graphFacts(m.graph, m.irVersion, typed, original) };
}

describe('written bytes decoded by protobufjs', () => {
  it('match the originals on every libonnx-testdata model and ONNX fixture', () => {
    const failures: string[] = [];
    for (const f of new Set([...libonnxModels(), ...fixtureModels()])) {
      const bytes = bytesOf(f);
      const written = writeOnnx(readOnnx(bytes, 'model.onnx'));
      const typed = new Set<string>();
      const diff = irDiff(pbFacts(bytes, typed, true), pbFacts(written, typed, false));
      if (diff.length) failures.push(`${f}: ${diff.join('; ')}`);
    }
    expect(failures).toEqual([]);
  });
});
