/**
 * A bounds-checked FlatBuffers reader driven by the schema data in generated/schema-info.ts.
 *
 * flatc's generated accessors trust every offset and length in the file: on a corrupt file they
 * return garbage, throw RangeError far from the cause, or loop over a 4-billion-element vector.
 * Here every table, vtable, vector and string is checked against the file size before it is
 * touched, and the total work is capped, so hostile input fails fast with a precise cause.
 */
import { ENUMS, TABLES, type FieldInfo, type ScalarType } from './generated/schema-info';

/** A structural problem in the file; the plugin turns it into a ModelFormatError. */
export class CorruptFileError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'CorruptFileError';
  }
}

const SIZES: Record<ScalarType, number> = {
  bool: 1, byte: 1, ubyte: 1, short: 2, ushort: 2, int: 4, uint: 4, long: 8, ulong: 8, float: 4, double: 8,
};

const FIELD_MAPS = new Map<string, Map<string, FieldInfo>>();
function fieldsOf(type: string): Map<string, FieldInfo> {
  let m = FIELD_MAPS.get(type);
  if (!m) {
    const list = TABLES[type];
    if (!list) throw new Error(`schema has no table ${type}`);
    m = new Map(list.map((f) => [f.name, f]));
    FIELD_MAPS.set(type, m);
  }
  return m;
}

/** A vector located in the file: `length` elements starting at byte `pos`. */
export interface Vec {
  pos: number;
  length: number;
  field: FieldInfo;
  path: string;
}

const utf8 = new TextDecoder('utf-8');

export class FlatReader {
  readonly bytes: Uint8Array;
  readonly length: number;
  private readonly dv: DataView;
  /**
   * Work units left. Tables can share sub-objects (a DAG), so a small file could make a naive
   * walk read the same big vector millions of times; real files touch each byte about once.
   */
  private budget: number;

  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
    this.length = bytes.byteLength;
    this.dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.budget = 4 * bytes.byteLength + 1_000_000;
  }

  charge(units: number, what: string): void {
    this.budget -= units;
    if (this.budget < 0) {
      throw new CorruptFileError(`corrupt: ${what} makes the reader revisit the same data over and over ` +
        '(work limit exceeded; the file is malformed or hostile)');
    }
  }

  need(pos: number, size: number, what: string): void {
    if (Number.isSafeInteger(pos) && pos >= 0 && size >= 0 && pos + size <= this.length) return;
    if (!Number.isSafeInteger(pos) || pos < 0) {
      throw new CorruptFileError(`corrupt: ${what} points to byte ${pos}, before the start of the file`);
    }
    if (pos >= this.length) {
      throw new CorruptFileError(`truncated or corrupt: ${what} points to byte ${pos}, past the end of the ` +
        `file (${this.length} bytes)`);
    }
    throw new CorruptFileError(`truncated: ${what} at byte ${pos} (${size} bytes) runs past the end ` +
      `of the file (${this.length} bytes)`);
  }

  u8(pos: number): number { return this.dv.getUint8(pos); }
  u16(pos: number): number { return this.dv.getUint16(pos, true); }
  i32(pos: number): number { return this.dv.getInt32(pos, true); }
  u32(pos: number): number { return this.dv.getUint32(pos, true); }

  /** Reads a checked scalar; 64-bit integers become (possibly rounded) numbers. */
  scalar(pos: number, t: ScalarType): number {
    const dv = this.dv;
    switch (t) {
      case 'bool': case 'ubyte': return dv.getUint8(pos);
      case 'byte': return dv.getInt8(pos);
      case 'short': return dv.getInt16(pos, true);
      case 'ushort': return dv.getUint16(pos, true);
      case 'int': return dv.getInt32(pos, true);
      case 'uint': return dv.getUint32(pos, true);
      case 'long': return Number(dv.getBigInt64(pos, true));
      case 'ulong': return Number(dv.getBigUint64(pos, true));
      case 'float': return dv.getFloat32(pos, true);
      case 'double': return dv.getFloat64(pos, true);
    }
  }

  /** Follows the uoffset stored at `pos`. */
  deref(pos: number, what: string): number {
    this.need(pos, 4, what);
    return pos + this.u32(pos);
  }

  /** Opens the table at `pos`, validating its vtable. */
  table(type: string, pos: number, path: string): Table {
    this.charge(1, path);
    this.need(pos, 4, `table ${path}`);
    const vt = pos - this.i32(pos);
    this.need(vt, 4, `vtable of ${path}`);
    const vtSize = this.u16(vt);
    const objSize = this.u16(vt + 2);
    if (vtSize < 4 || vtSize % 2 !== 0) throw new CorruptFileError(`corrupt: vtable of ${path} has size ${vtSize}`);
    this.need(vt, vtSize, `vtable of ${path}`);
    this.need(pos, Math.max(objSize, 4), `table ${path}`);
    return new Table(this, type, pos, vt, vtSize, path);
  }

  /** The root table, after the 4-byte root offset and the 4-byte file identifier. */
  root(type: string): Table {
    this.need(0, 8, 'file header');
    return this.table(type, this.deref(0, 'root offset'), type.toLowerCase());
  }

  /** Reads a vector of scalars (or enums) as numbers. */
  numbers(v: Vec): number[] {
    const t = v.field.base;
    if (!t) throw new Error(`${v.path} is not a scalar vector`);
    const size = SIZES[t];
    this.charge(v.length, v.path);
    const out = new Array<number>(v.length);
    for (let i = 0; i < v.length; i++) out[i] = this.scalar(v.pos + i * size, t);
    return out;
  }

  /** A view (no copy) of a vector's bytes. */
  view(v: Vec): Uint8Array {
    const size = v.field.base ? SIZES[v.field.base] : 4;
    return this.bytes.subarray(v.pos, v.pos + v.length * size);
  }

  /** Element `i` of a vector of tables. */
  tableAt(v: Vec, i: number): Table {
    const type = v.field.ref;
    if (v.field.kind !== 'table' || !type) throw new Error(`${v.path} is not a vector of tables`);
    const path = `${v.path}[${i}]`;
    return this.table(type, this.deref(v.pos + 4 * i, path), path);
  }

  /** Element `i` of a vector of strings. */
  stringAt(v: Vec, i: number): string {
    return this.stringAtPos(this.deref(v.pos + 4 * i, `${v.path}[${i}]`), `${v.path}[${i}]`);
  }

  stringAtPos(pos: number, path: string): string {
    this.need(pos, 4, `string ${path}`);
    const len = this.u32(pos);
    this.need(pos + 4, len, `string ${path}`);
    this.charge(len / 16, path);
    return utf8.decode(this.bytes.subarray(pos + 4, pos + 4 + len));
  }
}

/** One table instance; fields are read by their schema names. */
export class Table {
  private readonly fields: Map<string, FieldInfo>;

  constructor(
    readonly r: FlatReader,
    readonly type: string,
    readonly pos: number,
    private readonly vt: number,
    private readonly vtSize: number,
    readonly path: string,
  ) {
    this.fields = fieldsOf(type);
  }

  field(name: string): FieldInfo {
    const f = this.fields.get(name);
    if (!f) throw new Error(`schema table ${this.type} has no field ${name}`);
    return f;
  }

  /** Absolute position of the field's inline value, or 0 when the field is absent. */
  private at(slot: number, size: number, name: string): number {
    const entry = 4 + 2 * slot;
    if (entry + 2 > this.vtSize) return 0;
    const off = this.r.u16(this.vt + entry);
    if (off === 0) return 0;
    const pos = this.pos + off;
    this.r.need(pos, size, `field ${this.path}.${name}`);
    return pos;
  }

  has(name: string): boolean {
    const f = this.field(name);
    return this.at(f.slot, 1, name) !== 0;
  }

  /** A scalar or enum field as a number, the schema default when absent. */
  num(name: string): number {
    const f = this.field(name);
    if ((f.kind !== 'scalar' && f.kind !== 'enum') || f.vector || !f.base) {
      throw new Error(`${this.type}.${name} is not a scalar`);
    }
    const pos = this.at(f.slot, SIZES[f.base], name);
    if (pos === 0) return typeof f.def === 'boolean' ? Number(f.def) : (f.def ?? 0);
    return this.r.scalar(pos, f.base);
  }

  bool(name: string): boolean {
    return this.num(name) !== 0;
  }

  /** An enum field's value name, or null when the value is not in the enum. */
  enumName(name: string): string | null {
    const f = this.field(name);
    return (f.ref && ENUMS[f.ref]?.values[this.num(name)]) ?? null;
  }

  str(name: string): string | null {
    const f = this.field(name);
    const pos = this.at(f.slot, 4, name);
    if (pos === 0) return null;
    return this.r.stringAtPos(this.r.deref(pos, `${this.path}.${name}`), `${this.path}.${name}`);
  }

  /** A vector field, with its length checked against the end of the file. */
  vec(name: string): Vec | null {
    const f = this.field(name);
    if (!f.vector) throw new Error(`${this.type}.${name} is not a vector`);
    const pos = this.at(f.slot, 4, name);
    if (pos === 0) return null;
    const path = `${this.path}.${name}`;
    const start = this.r.deref(pos, path);
    this.r.need(start, 4, `vector ${path}`);
    const length = this.r.u32(start);
    const elem = f.kind === 'scalar' || f.kind === 'enum' ? SIZES[f.base ?? 'ubyte'] : 4;
    if (start + 4 + length * elem > this.r.length) {
      throw new CorruptFileError(`truncated: vector ${path} claims ${length} elements of ${elem} bytes at byte ` +
        `${start + 4}, past the end of the file (${this.r.length} bytes)`);
    }
    // Element-wise reads are charged where they happen (numbers, tableAt); views are free.
    this.r.charge(1, path);
    return { pos: start + 4, length, field: f, path };
  }

  /** A table field. */
  sub(name: string): Table | null {
    const f = this.field(name);
    if (f.kind !== 'table' || f.vector || !f.ref) throw new Error(`${this.type}.${name} is not a table`);
    const pos = this.at(f.slot, 4, name);
    if (pos === 0) return null;
    const path = `${this.path}.${name}`;
    return this.r.table(f.ref, this.r.deref(pos, path), path);
  }

  /**
   * A union field: its type code and, when the code names a known member, the member table.
   * Unknown codes (a newer schema) give `table: null` rather than an error.
   */
  union(name: string, members: string[]): { code: number; member: string | null; table: Table | null } | null {
    const f = this.field(name);
    if (f.kind !== 'union') throw new Error(`${this.type}.${name} is not a union`);
    const typePos = this.at(f.slot - 1, 1, `${name}_type`);
    const code = typePos === 0 ? 0 : this.r.u8(typePos);
    if (code === 0) return null;
    const member = members[code] ?? null;
    const pos = this.at(f.slot, 4, name);
    if (pos === 0 || !member || !TABLES[member]) return { code, member, table: null };
    const path = `${this.path}.${name}`;
    return { code, member, table: this.r.table(member, this.r.deref(pos, path), path) };
  }
}
