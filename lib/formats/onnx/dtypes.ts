import type { DType } from '../../ir/types';

/**
 * ONNX TensorProto.DataType codes (onnx.proto, including the float8 / 4-bit types added in
 * IR 9 and 10). Codes the IR has no dtype for map to 'unknown' and keep their ONNX name.
 */
const TABLE: Array<[DType, string]> = [
  ['unknown', 'UNDEFINED'], // 0
  ['float32', 'FLOAT'],
  ['uint8', 'UINT8'],
  ['int8', 'INT8'],
  ['uint16', 'UINT16'],
  ['int16', 'INT16'], // 5
  ['int32', 'INT32'],
  ['int64', 'INT64'],
  ['string', 'STRING'],
  ['bool', 'BOOL'],
  ['float16', 'FLOAT16'], // 10
  ['float64', 'DOUBLE'],
  ['uint32', 'UINT32'],
  ['uint64', 'UINT64'],
  ['complex64', 'COMPLEX64'],
  ['complex128', 'COMPLEX128'], // 15
  ['bfloat16', 'BFLOAT16'],
  ['float8e4m3fn', 'FLOAT8E4M3FN'],
  ['float8e4m3fnuz', 'FLOAT8E4M3FNUZ'],
  ['float8e5m2', 'FLOAT8E5M2'],
  ['float8e5m2fnuz', 'FLOAT8E5M2FNUZ'], // 20
  ['uint4', 'UINT4'],
  ['int4', 'INT4'],
  ['unknown', 'FLOAT4E2M1'],
  ['unknown', 'FLOAT8E8M0'],
  ['uint2', 'UINT2'], // 25
  ['int2', 'INT2'],
];

/** DType for an ONNX data type code, or null when the code is not an ONNX type at all. */
export function onnxDType(code: number): DType | null {
  const e = TABLE[code];
  return e ? e[0] : null;
}

export function onnxTypeName(code: number): string {
  return TABLE[code]?.[1] ?? `data_type ${code}`;
}

/** Dense bytes per element in our layout; 0.5 for 4-bit types, 0 for unknown/strings. */
export function elementBytes(code: number): number {
  switch (code) {
    case 2: case 3: case 9: case 17: case 18: case 19: case 20: return 1;
    case 4: case 5: case 10: case 16: return 2;
    case 1: case 6: case 12: return 4;
    case 7: case 11: case 13: case 14: return 8;
    case 15: return 16;
    case 21: case 22: return 0.5;
    default: return 0;
  }
}
