/**
 * Builtin options tables -> IR attributes, generically from the schema data, so every options
 * table of the schema (not only a hand-picked few) reaches the inspector and the writers.
 *
 * Conventions (a TFLite writer maps them back the same way):
 * - attribute names are the schema's snake_case field names;
 * - scalars are 'int' / 'float' / 'bool', present fields and absent ones (schema default) alike;
 *   float32 values are given as their shortest decimal (see shortestFloat32);
 * - enums are 'string' with the schema's value name ('SAME', 'RELU6', 'FLOAT32'); a value the
 *   schema does not know stays an 'int';
 * - fields naming a subgraph (`*_subgraph_index`, CallOptions.subgraph) are 'subgraph';
 * - vectors: ubyte -> 'bytes' (a view), float/double -> 'floats', other scalars -> 'ints',
 *   enums -> 'strings'; absent vectors and strings are left out.
 */
import type { AttrValue } from '../../ir/types';
import { ENUMS, TABLES } from './generated/schema-info';
import type { Table } from './flatbuf';

/**
 * The shortest decimal that is the same float32 (0.2, not 0.20000000298023224): what the
 * converter was given, and still bit-exact once a writer stores it as float32 again.
 */
export function shortestFloat32(x: number): number {
  if (!Number.isFinite(x) || Math.fround(x) !== x) return x;
  for (let p = 1; p < 10; p++) {
    const y = Number(x.toPrecision(p));
    if (Math.fround(y) === x) return y;
  }
  return x;
}

function isSubgraphField(table: string, name: string): boolean {
  return name.endsWith('subgraph_index') || (table === 'CallOptions' && name === 'subgraph');
}

export function optionAttrs(t: Table, into: Record<string, AttrValue>): void {
  const fields = TABLES[t.type] ?? [];
  for (const f of fields) {
    if (f.kind === 'table' || f.kind === 'union') continue; // no options table nests these today
    if (f.kind === 'string') {
      const s = t.str(f.name);
      if (s !== null) into[f.name] = { kind: 'string', value: s };
      continue;
    }
    const base = f.base;
    if (!base) continue;
    if (f.vector) {
      const v = t.vec(f.name);
      if (!v) continue;
      if (f.kind === 'enum') {
        const names = ENUMS[f.ref ?? '']?.values ?? {};
        into[f.name] = { kind: 'strings', value: t.r.numbers(v).map((n) => names[n] ?? String(n)) };
      } else if (base === 'ubyte') {
        into[f.name] = { kind: 'bytes', value: t.r.view(v) };
      } else if (base === 'float' || base === 'double') {
        const values = t.r.numbers(v);
        into[f.name] = { kind: 'floats', value: base === 'float' ? values.map(shortestFloat32) : values };
      } else {
        into[f.name] = { kind: 'ints', value: t.r.numbers(v) };
      }
      continue;
    }
    const n = t.num(f.name);
    if (f.kind === 'enum') {
      const name = t.enumName(f.name);
      into[f.name] = name !== null ? { kind: 'string', value: name } : { kind: 'int', value: n };
    } else if (base === 'bool') {
      into[f.name] = { kind: 'bool', value: n !== 0 };
    } else if (base === 'float') {
      into[f.name] = { kind: 'float', value: shortestFloat32(n) };
    } else if (base === 'double') {
      into[f.name] = { kind: 'float', value: n };
    } else if (isSubgraphField(t.type, f.name)) {
      into[f.name] = { kind: 'subgraph', value: n };
    } else {
      into[f.name] = { kind: 'int', value: n };
    }
  }
}
