/**
 * IR attributes -> a builtin options table, the inverse of ../options.ts, driven by the schema
 * data so every options table of BuiltinOptions and BuiltinOptions2 can be written.
 *
 * The IR does not record which options table an operator carried, so it is chosen:
 * 1. the table named after the op (CONV_2D -> Conv2DOptions, plus the few irregular names),
 *    if the attributes are exactly its fields (the reader gives every scalar field);
 * 2. else any table whose fields the attributes are exactly (a file may pair an op with an
 *    unusual table; the same attributes then read back);
 * 3. else the op's own table if the attributes are a subset of its fields (a converter that
 *    sets only what differs from the defaults), then any table they are a subset of.
 */
import type * as flatbuffers from 'flatbuffers';
import type { AttrValue } from '../../../ir/types';
import { ENUMS, TABLES, UNIONS, type FieldInfo } from '../generated/schema-info';

/** Attributes the reader adds beside the options fields. */
export const NON_OPTION_ATTRS = new Set(['custom_options', 'intermediates']);

export interface OptionsChoice {
  /** 'builtin_options' (BuiltinOptions union) or 'builtin_options_2' (BuiltinOptions2). */
  field: 'builtin_options' | 'builtin_options_2';
  /** Union type code. */
  type: number;
  table: string;
}

/** Ops whose options table is not their name in CamelCase. */
const IRREGULAR: Record<string, string> = {
  AVERAGE_POOL_2D: 'Pool2DOptions', MAX_POOL_2D: 'Pool2DOptions', L2_POOL_2D: 'Pool2DOptions',
  L2_NORMALIZATION: 'L2NormOptions', CONV_3D_TRANSPOSE: 'Conv3DOptions',
  MEAN: 'ReducerOptions', SUM: 'ReducerOptions', REDUCE_MAX: 'ReducerOptions', REDUCE_MIN: 'ReducerOptions',
  REDUCE_PROD: 'ReducerOptions', REDUCE_ANY: 'ReducerOptions', REDUCE_ALL: 'ReducerOptions',
  MAXIMUM: 'MaximumMinimumOptions', MINIMUM: 'MaximumMinimumOptions',
  UNIDIRECTIONAL_SEQUENCE_RNN: 'SequenceRNNOptions',
  RANDOM_UNIFORM: 'RandomOptions', RANDOM_STANDARD_NORMAL: 'RandomOptions', MULTINOMIAL: 'RandomOptions',
};

const MEMBERS: OptionsChoice[] = [];
for (const [union, field] of [['BuiltinOptions', 'builtin_options'], ['BuiltinOptions2', 'builtin_options_2']] as const) {
  (UNIONS[union] ?? []).forEach((table, type) => {
    if (type > 0 && TABLES[table]) MEMBERS.push({ field, type, table });
  });
}

const squash = (s: string): string => s.replace(/_/g, '').toLowerCase();

function tableForOp(opName: string): OptionsChoice | undefined {
  const wanted = IRREGULAR[opName] ?? null;
  return MEMBERS.find((m) => (wanted ? m.table === wanted : squash(m.table.replace(/Options$/, '')) === squash(opName)));
}

const isScalarField = (f: FieldInfo): boolean => !f.vector && (f.kind === 'scalar' || f.kind === 'enum');

function enumValue(f: FieldInfo, name: string): number | undefined {
  const values = ENUMS[f.ref ?? '']?.values ?? {};
  for (const [k, v] of Object.entries(values)) if (v === name) return Number(k);
  return undefined;
}

/** True when `a` can be stored in field `f`. */
function compatible(f: FieldInfo, a: AttrValue): boolean {
  if (f.kind === 'string') return a.kind === 'string';
  if (f.kind !== 'scalar' && f.kind !== 'enum') return false;
  if (f.vector) {
    if (f.kind === 'enum') return a.kind === 'strings' && a.value.every((s) => enumValue(f, s) !== undefined);
    if (f.base === 'ubyte' || f.base === 'byte') return a.kind === 'bytes' || a.kind === 'ints';
    if (f.base === 'float' || f.base === 'double') return a.kind === 'floats' || a.kind === 'ints';
    return a.kind === 'ints';
  }
  if (f.kind === 'enum') return a.kind === 'int' || (a.kind === 'string' && enumValue(f, a.value) !== undefined);
  if (f.base === 'bool') return a.kind === 'bool';
  return a.kind === 'int' || a.kind === 'subgraph' || (a.kind === 'float' && (f.base === 'float' || f.base === 'double'));
}

function fit(table: string, attrs: Array<[string, AttrValue]>, exact: boolean): boolean {
  const fields = TABLES[table] ?? [];
  for (const [k, a] of attrs) {
    const f = fields.find((x) => x.name === k);
    if (!f || !compatible(f, a)) return false;
  }
  if (!exact) return true;
  const keys = new Set(attrs.map(([k]) => k));
  return fields.filter(isScalarField).every((f) => keys.has(f.name));
}

/**
 * The options table for `opName` with `attrs`; null when no table is needed (no attributes and
 * no table named after the op). Throws naming the node when the attributes fit no table.
 */
export function chooseOptions(opName: string, attrs: Record<string, AttrValue>, nodeName: string): OptionsChoice | null {
  const list = Object.entries(attrs).filter(([k]) => !NON_OPTION_ATTRS.has(k));
  const own = tableForOp(opName);
  // No attributes: the op's table only if it has no scalar fields, else none, so that what the
  // reader gives back is again no attributes (the runtime then uses the schema defaults).
  if (list.length === 0) return own && fit(own.table, list, true) ? own : null;
  // The op's own table whenever the attributes fit in it, even with fields missing (they take
  // the schema's defaults): another table that happens to match exactly (ADD with only
  // fused_activation_function looks like L2NormOptions) would be read wrongly by runtimes.
  if (own && fit(own.table, list, false)) return own;
  const exact = MEMBERS.find((m) => fit(m.table, list, true));
  if (exact) return exact;
  const loose = MEMBERS.find((m) => fit(m.table, list, false));
  if (loose) return loose;
  throw new Error(`TFLite writer: node ${nodeName} (tfl.${opName}): attributes ${list.map(([k]) => k).join(', ')} ` +
    `match no TFLite options table${own ? ` (expected the fields of ${own.table})` : ''}`);
}

function num(a: AttrValue): number {
  switch (a.kind) {
    case 'int': case 'float': case 'subgraph': return a.value;
    case 'bool': return a.value ? 1 : 0;
    default: return 0;
  }
}

function vector(b: flatbuffers.Builder, f: FieldInfo, a: AttrValue): flatbuffers.Offset {
  let values: number[];
  if (a.kind === 'bytes') values = Array.from(a.value);
  else if (a.kind === 'strings') values = a.value.map((s) => enumValue(f, s) ?? 0);
  else if (a.kind === 'ints' || a.kind === 'floats') values = a.value;
  else values = [];
  const size = f.base === 'bool' || f.base === 'byte' || f.base === 'ubyte' ? 1
    : f.base === 'short' || f.base === 'ushort' ? 2
    : f.base === 'long' || f.base === 'ulong' || f.base === 'double' ? 8 : 4;
  b.startVector(size, values.length, size);
  for (let i = values.length - 1; i >= 0; i--) {
    const v = values[i]!;
    switch (f.base) {
      case 'bool': case 'byte': case 'ubyte': b.addInt8(v); break;
      case 'short': case 'ushort': b.addInt16(v); break;
      case 'long': case 'ulong': b.addInt64(BigInt(Math.trunc(v))); break;
      case 'float': b.addFloat32(v); break;
      case 'double': b.addFloat64(v); break;
      default: b.addInt32(v);
    }
  }
  return b.endVector();
}

/** Builds the options table; call outside any other table. */
export function writeOptions(b: flatbuffers.Builder, table: string, attrs: Record<string, AttrValue>): flatbuffers.Offset {
  const fields = TABLES[table] ?? [];
  // Vectors and strings are built before the table starts (flatbuffers cannot nest them).
  const offsets = new Map<string, flatbuffers.Offset>();
  for (const f of fields) {
    const a = attrs[f.name];
    if (!a) continue;
    if (f.kind === 'string' && a.kind === 'string') offsets.set(f.name, b.createString(a.value));
    else if (f.vector) offsets.set(f.name, vector(b, f, a));
  }
  b.startObject(fields.reduce((m, f) => Math.max(m, f.slot + 1), 0));
  for (const f of fields) {
    const off = offsets.get(f.name);
    if (off !== undefined) {
      b.addFieldOffset(f.slot, off, 0);
      continue;
    }
    const a = attrs[f.name];
    if (!a || !isScalarField(f)) continue;
    const def = typeof f.def === 'boolean' ? (f.def ? 1 : 0) : (f.def ?? 0);
    const v = f.kind === 'enum' && a.kind === 'string' ? (enumValue(f, a.value) ?? 0) : num(a);
    switch (f.base) {
      case 'bool': case 'byte': case 'ubyte': b.addFieldInt8(f.slot, v, def); break;
      case 'short': case 'ushort': b.addFieldInt16(f.slot, v, def); break;
      case 'long': case 'ulong': b.addFieldInt64(f.slot, BigInt(Math.trunc(v)), BigInt(def)); break;
      case 'float': b.addFieldFloat32(f.slot, v, def); break;
      case 'double': b.addFieldFloat64(f.slot, v, def); break;
      default: b.addFieldInt32(f.slot, v, def);
    }
  }
  return b.endObject();
}
