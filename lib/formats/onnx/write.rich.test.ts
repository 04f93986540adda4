/**
 * ONNX writer on a model using every field the reader maps, encoded by protobufjs from
 * onnx.proto: metadata_props collisions, IR 3 initializers-as-inputs, every dtype and storage
 * field, sequence / optional / map / sparse types, every attribute kind including the ones the
 * reader keeps as json, nested If / Loop bodies using outer names. Read -> write -> read gives the
 * same IR, and protobufjs reads the written values as written.
 */
import path from 'node:path';
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { onnxFormat, readOnnx } from './index';
import { writeOnnx } from './write';
import { f32, roundTrip } from './write-test-helpers';

const HERE = path.dirname(new URL(import.meta.url).pathname);
const ModelProto = protobuf.loadSync(path.join(HERE, 'testdata/onnx.proto')).lookupType('onnx.ModelProto');

const T = { FLOAT: 1, UINT8: 2, INT8: 3, INT32: 6, INT64: 7, STRING: 8, BOOL: 9, FLOAT16: 10, DOUBLE: 11, UINT64: 13, COMPLEX64: 14, BFLOAT16: 16, E4M3: 17, UINT4: 21, INT4: 22 };
const utf8 = (s: string) => new TextEncoder().encode(s);
const dims = (ds: Array<number | string | null>) => ({ dim: ds.map((d) => (d === null ? {} : typeof d === 'number' ? { dimValue: d } : { dimParam: d })) });
const tt = (elemType: number, ds?: Array<number | string | null>) => ({ tensorType: { elemType, ...(ds ? { shape: dims(ds) } : {}) } });
const vi = (name: string, type: object, docString?: string) => ({ name, type, ...(docString ? { docString } : {}) });
const INT64_MAX = '9223372036854775807';

function sub(name: string, nodes: object[], outputs: object[], extra: object = {}) {
  return { name, node: nodes, output: outputs, ...extra };
}

function richModel(): Uint8Array {
  const loop = sub('loop_body', [
    { opType: 'Add', input: ['x', 'w'], output: ['acc'] }, // x: outer-outer, w: an outer initializer
    { opType: 'Identity', input: ['cond_in'], output: ['cond_out'] },
  ], [vi('cond_out', tt(T.BOOL, [])), vi('acc', tt(T.FLOAT, ['N', 3]))], {
    input: [vi('iter', tt(T.INT64, [])), vi('cond_in', tt(T.BOOL, []))],
    valueInfo: [vi('x', tt(T.FLOAT, [2, 3]))], // declares an outer name with its own type: kept
  });
  const then = sub('then', [
    { opType: 'Loop', input: ['', 'flag'], output: ['loop_out'], attribute: [{ name: 'body', type: 5, g: loop }] },
    { opType: 'Relu', input: ['x'], output: ['then_out'] },
  ], [vi('then_out', tt(T.FLOAT, ['N', 3]))], {
    initializer: [{ name: 'tk', dataType: T.INT64, dims: [1], int64Data: [3] }],
    valueInfo: [vi('loop_out', tt(T.FLOAT))],
  });
  const other = sub('else', [{ opType: 'Neg', input: ['x'], output: ['else_out'] }], [vi('else_out', tt(T.FLOAT, ['N', 3]))]);
  const sparse = { dims: [4], values: { dataType: T.FLOAT, dims: [1], floatData: [9] }, indices: { dataType: T.INT64, dims: [1], int64Data: [2] } };
  return ModelProto.encode(ModelProto.fromObject({
    irVersion: 3, producerName: 'unit', producerVersion: '0.1', domain: 'org.test', modelVersion: -7, docString: 'a doc',
    opsetImport: [{ domain: '', version: 13 }, { domain: 'ai.onnx.ml', version: 3 }, { domain: 'com.example', version: 1 }],
    metadataProps: [{ key: 'author', value: 'me' }, { key: 'producer', value: 'collides' }, { key: 'author', value: 'twice' }, { key: 'métadonnée', value: '✓' }],
    graph: {
      name: 'main',
      docString: 'graph docs are not in the IR',
      input: [
        vi('x', tt(T.FLOAT, ['N', 3])),
        vi('w', tt(T.FLOAT, [3]), 'the weight'), // IR 3: initializers are inputs too
        vi('flag', tt(T.BOOL, [])),
        vi('s', { sequenceType: { elemType: tt(T.INT64, [2]) } }, 'a sequence'),
        vi('o', { optionalType: { elemType: { sequenceType: { elemType: tt(T.FLOAT) } } } }),
        vi('m', { mapType: { keyType: T.STRING, valueType: tt(T.FLOAT) } }),
        vi('sp', { sparseTensorType: { elemType: T.FLOAT, shape: dims([10, null]) } }),
        vi('u', tt(T.FLOAT, [null, -1, 'b'])),
        vi('rank_unknown', tt(T.INT8)),
        vi('untyped', {}),
      ],
      initializer: [
        { name: 'w', dataType: T.FLOAT, dims: [3], rawData: f32([0.5, -0, NaN]) },
        { name: 'big', dataType: T.INT64, dims: [4], int64Data: ['-1', '1099511627776', '-9223372036854775808', INT64_MAX] },
        { name: 'u64', dataType: T.UINT64, dims: [2], uint64Data: ['18446744073709551615', '1'] },
        { name: 'strs', dataType: T.STRING, dims: [3], stringData: [utf8('a'), utf8(''), utf8('héllo')], docString: 'strings' },
        { name: 'no_strings', dataType: T.STRING, dims: [0] },
        { name: 'flags', dataType: T.BOOL, dims: [3], int32Data: [1, 0, 1] },
        { name: 'half', dataType: T.FLOAT16, dims: [2], int32Data: [0x3c00, 0xfc00] },
        { name: 'bf', dataType: T.BFLOAT16, dims: [1], int32Data: [0x3f80] },
        { name: 'i4', dataType: T.INT4, dims: [3], int32Data: [0xe1, 0x07] },
        { name: 'u4', dataType: T.UINT4, dims: [1, 3], rawData: new Uint8Array([0x21, 0x03]) },
        { name: 'c64', dataType: T.COMPLEX64, dims: [1], floatData: [1.5, -2] },
        { name: 'dbl', dataType: T.DOUBLE, dims: [2], doubleData: [Math.PI, -1e300] },
        { name: 'f8', dataType: T.E4M3, dims: [2], rawData: new Uint8Array([0x38, 0xff]) },
        { name: 'i8', dataType: T.INT8, dims: [], int32Data: [-128] },
        { name: 'empty', dataType: T.FLOAT, dims: [0, 5] },
      ],
      node: [
        { opType: 'Add', input: ['x', 'w'], output: ['a'] },
        { name: 'dup', opType: 'Relu', input: ['a'], output: ['b'], docString: 'first relu' },
        { name: 'dup', opType: 'Relu', input: ['b'], output: ['c'] },
        { name: 'cust', opType: 'MyOp', domain: 'com.example', input: ['c', '', 'big'], output: ['d', ''] },
        { name: 'ml', opType: 'Normalizer', domain: 'ai.onnx.ml', input: ['d'], output: ['e'], attribute: [{ name: 'norm', type: 3, s: utf8('MAX') }] },
        { name: 'k', opType: 'Constant', output: ['kst'], attribute: [{ name: 'value', type: 4, t: { dataType: T.FLOAT, dims: [2], floatData: [1.25, -3], docString: 'k doc' } }] },
        { name: 'cond', opType: 'If', input: ['flag'], output: ['r'], attribute: [{ name: 'then_branch', type: 5, g: then }, { name: 'else_branch', type: 5, g: other }] },
        {
          name: 'all', opType: 'Custom', domain: 'com.example', input: ['e'], output: ['out'],
          attribute: [
            { name: 'f', type: 1, f: 0.1 },
            { name: 'f_nan', type: 1, f: NaN },
            { name: 'f_neg0', type: 1, f: -0 },
            { name: 'i_max', type: 2, i: INT64_MAX },
            { name: 'i_min', type: 2, i: '-9223372036854775808' },
            { name: 'i_neg', type: 2, i: -1 },
            { name: 'i_zero', type: 2, i: 0 },
            { name: 's', type: 3, s: utf8('héllo 🙂') },
            { name: 's_empty', type: 3, s: new Uint8Array(0) },
            { name: 'floats', type: 6, floats: [1.5, -2, Infinity] },
            { name: 'floats_empty', type: 6 },
            { name: 'ints', type: 7, ints: [1, -2, 3, INT64_MAX] },
            { name: 'strings', type: 8, strings: [utf8('a'), utf8('bc'), utf8('')] },
            { name: 'tensors', type: 9, tensors: [{ dataType: T.INT64, dims: [1], int64Data: [5] }, { name: 'named', dataType: T.UINT8, dims: [2], rawData: new Uint8Array([7, 8]) }] },
            { name: 'graphs', type: 10, graphs: [sub('g0', [{ opType: 'Abs', input: ['x'], output: ['g0_out'] }], [vi('g0_out', tt(T.FLOAT))])] },
            { name: 'sparse', type: 11, sparseTensor: sparse },
            { name: 'sparses', type: 12, sparseTensors: [sparse, { dims: [2, 2] }] },
            { name: 'tp', type: 13, tp: tt(T.FLOAT, [2, 'n', null]) },
            { name: 'tps', type: 14, typeProtos: [{ mapType: { keyType: T.INT64, valueType: { sequenceType: { elemType: { sparseTensorType: { elemType: T.INT8 } } } } } }, {}, tt(T.UINT8)] },
            { name: 'ref', type: 2, refAttrName: 'outer_alpha' },
            { name: 'untyped', i: 4 },
            { name: 'nothing' },
            { name: 'future', type: 99 },
          ],
        },
      ],
      output: [vi('out', tt(T.FLOAT, ['N', 3])), vi('r', tt(T.FLOAT)), vi('w', tt(T.FLOAT, [3]))],
      valueInfo: [
        vi('a', tt(T.FLOAT, ['N', 3])),
        vi('b', { tensorType: { shape: dims([1]) } }),
        vi('c', {}, 'documented only'),
        vi('d', { sequenceType: { elemType: tt(T.FLOAT) } }),
        vi('e', tt(T.FLOAT), 'type: not a type we know'),
      ],
    },
  })).finish();
}

describe('a model using every field the reader maps (encoded by protobufjs)', () => {
  const bytes = richModel();
  const a = readOnnx(bytes, 'rich.onnx');

  it('reads back to the same IR, and writing that again gives the same bytes', () => {
    const { diff, stable } = roundTrip(bytes, 'rich.onnx');
    expect(diff).toEqual([]);
    expect(stable).toBe(true);
    // The model exercises what it claims to: nested graphs, json attributes, noted types.
    const all = a.graphs[0]!.nodes.find((n) => n.name === 'all')!;
    expect(Object.values(all.attrs).filter((v) => v.kind === 'json')).toHaveLength(7);
    expect(a.graphs[0]!.tensors.get('o')!.doc).toBe('type: optional<sequence<tensor(float32)>>');
    expect(a.metadata['metadata_props.author']).toBe('twice');
  });

  it('writes what protobufjs reads as the same values', () => {
    const w = ModelProto.toObject(ModelProto.decode(writeOnnx(a)), { longs: String, enums: Number, bytes: Array }) as {
      irVersion: string; modelVersion: string; metadataProps: Array<{ key: string; value: string }>;
      graph: { input: Array<{ name: string; type: unknown }>; initializer: Array<{ name: string; rawData?: number[]; stringData?: number[][] }>; node: Array<{ name: string; attribute: Array<{ name: string; i?: string; ints?: string[]; g?: { input?: unknown[]; initializer?: unknown[] } }> }> };
    };
    expect(w.irVersion).toBe('3');
    expect(w.modelVersion).toBe('-7');
    expect(w.metadataProps).toEqual([
      { key: 'author', value: 'me' }, { key: 'producer', value: 'collides' }, { key: 'author', value: 'twice' }, { key: 'métadonnée', value: '✓' },
    ]);
    // IR 3: every initializer is listed among the inputs, after the real ones.
    const inputs = w.graph.input.map((v) => v.name);
    expect(inputs.slice(0, 9)).toEqual(['x', 'flag', 's', 'o', 'm', 'sp', 'u', 'rank_unknown', 'untyped']);
    expect(new Set(inputs.slice(9))).toEqual(new Set([...a.graphs[0]!.tensors.values()].filter((t) => t.isConstant).map((t) => t.name)));
    const then = w.graph.node.find((n) => n.name === 'cond')!.attribute.find((x) => x.name === 'then_branch')!.g!;
    expect([then.initializer?.length, then.input]).toEqual([1, undefined]); // an If branch takes no inputs, even in IR 3
    expect(w.graph.input.find((v) => v.name === 'o')!.type).toEqual({ optionalType: { elemType: { sequenceType: { elemType: { tensorType: { elemType: T.FLOAT } } } } } });
    const init = (name: string) => w.graph.initializer.find((t) => t.name === name)!;
    expect(init('i4').rawData).toEqual([0xe1, 0x07]);
    expect(init('u64').rawData).toEqual([255, 255, 255, 255, 255, 255, 255, 255, 1, 0, 0, 0, 0, 0, 0, 0]);
    expect(init('strs').stringData).toEqual([[0x61], [], [...utf8('héllo')]]);
    const attrs = w.graph.node.find((n) => n.name === 'all')!.attribute;
    expect(attrs.find((x) => x.name === 'i_max')!.i).toBe(INT64_MAX);
    expect(attrs.find((x) => x.name === 'i_min')!.i).toBe('-9223372036854775808');
    expect(attrs.find((x) => x.name === 'ints')!.ints).toEqual(['1', '-2', '3', INT64_MAX]);
  });

  it('is what the plugin writes, and sniffs as ONNX', () => {
    const written = onnxFormat.write!(a);
    expect(Buffer.from(written).equals(Buffer.from(writeOnnx(a)))).toBe(true);
    expect(onnxFormat.sniff(written)).toBe(true);
  });
});
