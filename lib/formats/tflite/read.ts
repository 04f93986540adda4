/** TFLite flatbuffer -> IR Model. Every index and length is validated before use. */
import type { AttrValue, Graph, Model, Node, Tensor } from '../../ir/types';
import { throwIfAborted } from '../errors';
import type { ReadOptions } from '../types';
import { ENUMS, UNIONS } from './generated/schema-info';
import { CorruptFileError, FlatReader, type Table } from './flatbuf';
import { optionAttrs } from './options';
import { Buffers, readTensor } from './tensors';

const CUSTOM = 32;
/** Far above any real model; keeps a hostile file from making us allocate huge graph lists. */
const MAX_SUBGRAPHS = 10_000;

interface OpCode {
  /** Builtin name ('CONV_2D'), custom code, or 'UNKNOWN_<code>'. */
  name: string;
  custom: boolean;
  version: number;
}

function readOpCodes(r: FlatReader, model: Table): OpCode[] {
  const v = model.vec('operator_codes');
  const out: OpCode[] = [];
  const names = ENUMS.BuiltinOperator?.values ?? {};
  for (let i = 0; i < (v?.length ?? 0); i++) {
    const oc = r.tableAt(v!, i);
    // Old writers fill only the byte-sized deprecated code; new ones both. TFLite takes the max.
    const code = Math.max(oc.num('deprecated_builtin_code'), oc.num('builtin_code'));
    const version = oc.num('version');
    if (code === CUSTOM) {
      out.push({ name: oc.str('custom_code') || 'CUSTOM', custom: true, version });
    } else {
      out.push({ name: names[code] ?? `UNKNOWN_${code}`, custom: false, version });
    }
  }
  return out;
}

/** Progress + cancellation, throttled: about 40 reports, and a yield to the event loop at most every 50 ms. */
class Pacer {
  private last = Date.now();
  private sent = 0;

  constructor(private readonly options: ReadOptions | undefined) {}

  async at(fraction: number, phase: string): Promise<void> {
    throwIfAborted(this.options?.signal);
    if (this.sent < 48) {
      this.sent++;
      this.options?.onProgress?.(Math.min(1, Math.max(0, fraction)), phase);
    }
    if (Date.now() - this.last > 50) {
      // Lets an AbortSignal (fired from another task) be seen during a long parse.
      await new Promise<void>((resolve) => setTimeout(resolve, 0));
      this.last = Date.now();
      throwIfAborted(this.options?.signal);
    }
  }
}

/** `wanted` if free, else `wanted_<suffix>`, else `wanted_<suffix>_<k>`; an empty name becomes `fallback`. */
function uniqueName(wanted: string, taken: Set<string>, fallback: string, suffix: number): string {
  const base = wanted || fallback;
  let name = base;
  if (taken.has(name)) name = `${base}_${suffix}`;
  for (let k = 1; taken.has(name); k++) name = `${base}_${suffix}_${k}`;
  taken.add(name);
  return name;
}

interface Ctx {
  r: FlatReader;
  opcodes: OpCode[];
  buffers: Buffers;
  subgraphCount: number;
  pacer: Pacer;
  /** Operators done so far and in total, across subgraphs, for progress. */
  done: number;
  total: number;
  step: number;
}

function tensorRef(index: number, names: string[], where: string): string {
  if (index === -1) return ''; // an omitted optional input
  const name = names[index];
  if (name === undefined) {
    throw new CorruptFileError(`tensor index ${index} out of range in ${where} (the subgraph has ${names.length} tensors)`);
  }
  return name;
}

function refs(c: Ctx, op: Table, field: string, names: string[], where: string): string[] {
  const v = op.vec(field);
  return v ? c.r.numbers(v).map((i) => tensorRef(i, names, where)) : [];
}

function customOptions(c: Ctx, op: Table, where: string): Uint8Array | null {
  const offset = op.num('large_custom_options_offset');
  if (offset > 1) {
    const end = offset + op.num('large_custom_options_size');
    if (!Number.isSafeInteger(end) || end > c.r.length) {
      throw new CorruptFileError(`truncated: file is ${c.r.length} bytes but the custom options of ${where} end at ${end}`);
    }
    return c.r.bytes.subarray(offset, end);
  }
  const v = op.vec('custom_options');
  return v ? c.r.view(v) : null;
}

/** The operator fields that hold an options table, with their union's member tables. */
const OPTION_UNIONS = [
  ['builtin_options', UNIONS.BuiltinOptions ?? []],
  ['builtin_options_2', UNIONS.BuiltinOptions2 ?? []],
] as const;

function readNode(c: Ctx, op: Table, index: number, sg: number, names: string[], nodeNames: Set<string>): Node {
  const where = `operator ${index} of subgraph ${sg}`;
  const opIndex = op.num('opcode_index');
  const code = c.opcodes[opIndex];
  if (!code) {
    throw new CorruptFileError(`operator code index ${opIndex} out of range in ${where} ` +
      `(the model has ${c.opcodes.length} operator codes)`);
  }
  const inputs = refs(c, op, 'inputs', names, where);
  const outputs = refs(c, op, 'outputs', names, where);
  const attrs: Record<string, AttrValue> = {};
  for (const [field, members] of OPTION_UNIONS) {
    const u = op.union(field, members);
    if (u?.table) optionAttrs(u.table, attrs);
  }
  for (const [key, value] of Object.entries(attrs)) {
    if (value.kind === 'subgraph' && (value.value < 0 || value.value >= c.subgraphCount)) {
      throw new CorruptFileError(`${where} (${code.name}) refers to subgraph ${value.value} in ${key} ` +
        `but the model has ${c.subgraphCount} subgraphs`);
    }
  }
  const custom = code.custom ? customOptions(c, op, where) : null;
  if (custom) attrs.custom_options = { kind: 'bytes', value: custom };
  const inter = refs(c, op, 'intermediates', names, where);
  if (inter.length > 0) attrs.intermediates = { kind: 'strings', value: inter };

  // Operators have no names in TFLite: the first output's (unique) tensor name reads best.
  const first = outputs[0];
  const name = first && !nodeNames.has(first) ? first : uniqueName(`${code.name}_${index}`, nodeNames, `op_${index}`, index);
  nodeNames.add(name);
  const node: Node = { name, op: `tfl.${code.name}`, inputs, outputs, attrs, version: code.version };
  if (code.custom) node.custom = true;
  return node;
}

async function readSubgraph(c: Ctx, t: Table, sg: number): Promise<Graph> {
  const r = c.r;
  const tv = t.vec('tensors');
  const names: string[] = [];
  const taken = new Set<string>();
  const tensors = new Map<string, Tensor>();
  for (let i = 0; i < (tv?.length ?? 0); i++) {
    const tt = r.tableAt(tv!, i);
    const name = uniqueName(tt.str('name') ?? '', taken, `tensor_${i}`, i);
    names.push(name);
    tensors.set(name, readTensor(r, tt, name, c.buffers, `tensor ${i} of subgraph ${sg}`));
  }
  const io = (field: string): string[] => {
    const v = t.vec(field);
    return (v ? r.numbers(v) : []).map((i) => tensorRef(i, names, `subgraph ${sg} ${field}`)).filter(Boolean);
  };
  // Constants are not graph inputs even if a file lists them.
  const inputs = io('inputs').filter((n) => !tensors.get(n)?.isConstant);
  const outputs = io('outputs');

  const ov = t.vec('operators');
  const nodes: Node[] = [];
  const nodeNames = new Set<string>();
  for (let i = 0; i < (ov?.length ?? 0); i++) {
    nodes.push(readNode(c, r.tableAt(ov!, i), i, sg, names, nodeNames));
    if (++c.done % c.step === 0) await c.pacer.at(0.05 + 0.9 * (c.done / c.total), 'operators');
  }
  return { name: t.str('name') || `subgraph_${sg}`, nodes, inputs, outputs, tensors };
}

/** Metadata entries are mostly short strings (min_runtime_version); binary ones are summarised. */
function metadataValue(bytes: Uint8Array | null): string {
  if (!bytes) return '';
  let end = bytes.length;
  while (end > 0 && bytes[end - 1] === 0) end--;
  const body = bytes.subarray(0, end);
  const printable = body.length <= 4096 && body.every((b) => b >= 0x20 || b === 0x09 || b === 0x0a || b === 0x0d);
  return printable ? new TextDecoder().decode(body) : `<${bytes.length} bytes of binary data>`;
}

function readMetadata(c: Ctx, model: Table, graphs: Graph[], out: Record<string, string>): void {
  const r = c.r;
  const mv = model.vec('metadata');
  for (let i = 0; i < (mv?.length ?? 0); i++) {
    const m = r.tableAt(mv!, i);
    const name = m.str('name') || `metadata_${i}`;
    const key = name in out ? `metadata.${name}` : name;
    out[key] = metadataValue(c.buffers.get(m.num('buffer'), `metadata ${i} (${name})`));
  }
  const sv = model.vec('signature_defs');
  for (let i = 0; i < (sv?.length ?? 0); i++) {
    const s = r.tableAt(sv!, i);
    const key = s.str('signature_key') || `signature_${i}`;
    const sg = s.num('subgraph_index');
    const graph = graphs[sg];
    if (!graph) throw new CorruptFileError(`signature ${key} refers to subgraph ${sg} but the model has ${graphs.length}`);
    const tensorNames = [...graph.tensors.keys()];
    const maps = (field: string): string => {
      const v = s.vec(field);
      const parts: string[] = [];
      for (let j = 0; j < (v?.length ?? 0); j++) {
        const tm = r.tableAt(v!, j);
        const ti = tm.num('tensor_index');
        const tensor = tensorNames[ti];
        if (tensor === undefined) {
          throw new CorruptFileError(`tensor index ${ti} out of range in signature ${key} ${field}`);
        }
        const alias = tm.str('name') ?? '';
        parts.push(alias && alias !== tensor ? `${alias}=${tensor}` : tensor);
      }
      return parts.join(', ');
    };
    out[`signature.${key}`] = `subgraph ${sg}; inputs: ${maps('inputs')}; outputs: ${maps('outputs')}`;
  }
}

export async function readTfliteModel(bytes: Uint8Array, fileName: string, options?: ReadOptions): Promise<Model> {
  const pacer = new Pacer(options);
  await pacer.at(0, 'header');
  const r = new FlatReader(bytes);
  if (bytes.length < 8) throw new CorruptFileError(`truncated: file is ${bytes.length} bytes, too short for a flatbuffer`);
  const ident = String.fromCharCode(...bytes.subarray(4, 8));
  if (ident !== 'TFL3') throw new CorruptFileError(`missing the "TFL3" file identifier at bytes 4..8 (found ${JSON.stringify(ident)})`);
  const model = r.root('Model');
  const version = model.num('version');
  const opcodes = readOpCodes(r, model);
  const buffers = new Buffers(r, model.vec('buffers'));
  const sv = model.vec('subgraphs');
  const subgraphCount = sv?.length ?? 0;
  if (subgraphCount === 0) throw new CorruptFileError('the model has no subgraphs');
  if (subgraphCount > MAX_SUBGRAPHS) throw new CorruptFileError(`corrupt: ${subgraphCount} subgraphs (more than ${MAX_SUBGRAPHS})`);

  const subgraphs = Array.from({ length: subgraphCount }, (_, i) => r.tableAt(sv!, i));
  let total = 0;
  for (const s of subgraphs) total += s.vec('operators')?.length ?? 0;
  const c: Ctx = { r, opcodes, buffers, subgraphCount, pacer, done: 0, total: Math.max(1, total), step: Math.max(1, Math.ceil(total / 40)) };
  await pacer.at(0.05, 'subgraphs');

  const graphs: Graph[] = [];
  for (let i = 0; i < subgraphCount; i++) graphs.push(await readSubgraph(c, subgraphs[i]!, i));

  const metadata: Record<string, string> = {};
  const description = model.str('description');
  if (description) metadata.description = description;
  readMetadata(c, model, graphs, metadata);
  await pacer.at(1, 'done');
  return {
    format: 'tflite',
    dialect: 'tfl',
    name: fileName,
    files: [{ name: fileName, bytes: bytes.length }],
    graphs,
    metadata,
    opsets: { tflite: version },
  };
}
