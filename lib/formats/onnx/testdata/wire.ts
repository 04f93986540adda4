/**
 * Hand-assembled protobuf bytes for tests that need files no encoder would write
 * (truncated lengths, wrong wire types, 2^40 lengths). Plain arrays of byte values.
 */
export type Bytes = number[];

export function varint(v: number | bigint): Bytes {
  let x = BigInt.asUintN(64, BigInt(v));
  const out: Bytes = [];
  do {
    const b = Number(x & 0x7fn);
    x >>= 7n;
    out.push(x ? b | 0x80 : b);
  } while (x);
  return out;
}

export const tag = (field: number, wire: number): Bytes => varint((field << 3) | wire);
export const vint = (field: number, v: number | bigint): Bytes => [...tag(field, 0), ...varint(v)];
export const len = (field: number, payload: Bytes): Bytes => [...tag(field, 2), ...varint(payload.length), ...payload];
export const str = (field: number, s: string): Bytes => len(field, [...new TextEncoder().encode(s)]);
export const f32 = (field: number, x: number): Bytes => [...tag(field, 5), ...new Uint8Array(new Float32Array([x]).buffer)];
export const floatBytes = (xs: number[]): Bytes => [...new Uint8Array(new Float32Array(xs).buffer)];
export const msg = (...parts: Bytes[]): Bytes => parts.flat();

/** ValueInfoProto of a tensor; dims: number = dim_value, string = dim_param, null = neither. */
export function valueInfo(name: string, elemType: number, dims: Array<number | string | null> | null): Bytes {
  const shape = dims === null ? [] : [len(2, msg(...dims.map((d) => len(1, d === null ? [] : typeof d === 'number' ? vint(1, d) : str(2, d)))))];
  return msg(str(1, name), len(2, len(1, msg(vint(1, elemType), ...shape))));
}

export const node = (op: string, inputs: string[], outputs: string[], ...extra: Bytes[]): Bytes =>
  msg(...inputs.map((i) => str(1, i)), ...outputs.map((o) => str(2, o)), str(4, op), ...extra);

/** TensorProto with raw_data. */
export const rawTensor = (name: string, dataType: number, dims: number[], raw: Bytes, ...extra: Bytes[]): Bytes =>
  msg(...dims.map((d) => vint(1, d)), vint(2, dataType), str(8, name), len(9, raw), ...extra);

/** ModelProto around a GraphProto's fields (ir_version 8, opset 17). */
export const model = (...graphFields: Bytes[]): Uint8Array =>
  new Uint8Array(msg(vint(1, 8), str(2, 'wire-test'), len(7, msg(...graphFields)), len(8, msg(str(1, ''), vint(2, 17)))));

/** The smallest useful graph: x -> Relu -> y. */
export const reluGraph = (): Bytes[] => [
  len(1, node('Relu', ['x'], ['y'])),
  str(2, 'g'),
  len(11, valueInfo('x', 1, [1, 4])),
  len(12, valueInfo('y', 1, [1, 4])),
];
