/** GraphProto / NodeProto / AttributeProto -> IR Graph, Node, AttrValue. */
import type { AttrValue, Graph, Node, Tensor } from '../../ir/types';
import { Reader, setKey, withPath } from './proto';
import { decodeTensor, fieldLabel } from './tensor';
import { MAX_DEPTH, decodeType, decodeValueInfo, type TypeTarget } from './valueinfo';

// Wire types as local constants: transpilers that emit CommonJS (tsx, vitest) turn each use of an
// imported binding into a getter call, which shows in the hot loops.
const WIRE_VARINT = 0;
const WIRE_LEN = 2;
const WIRE_I32 = 5;

/** Shared state of one read: progress of the main graph, notes for the model's metadata. */
export interface DecodeContext {
  notes: Set<string>;
  /** Called with the reader position after main-graph nodes once it passes `nextTick`. */
  tick: (pos: number) => void;
  nextTick: number;
}

/** Domains defined by the ONNX spec itself; anything else is a custom (runtime-specific) op. */
const STANDARD_DOMAINS = new Set(['', 'ai.onnx', 'ai.onnx.ml', 'ai.onnx.preview.training']);

const GRAPH_FIELDS: Record<number, string> = {
  1: 'node', 2: 'name', 5: 'initializer', 10: 'doc_string', 11: 'input', 12: 'output', 13: 'value_info', 15: 'sparse_initializer',
};
const NODE_FIELDS: Record<number, string> = { 1: 'input', 2: 'output', 3: 'name', 4: 'op_type', 5: 'attribute', 6: 'doc_string', 7: 'domain' };
const ATTR_FIELDS: Record<number, string> = {
  1: 'name', 2: 'f', 3: 'i', 4: 's', 5: 't', 6: 'g', 7: 'floats', 8: 'ints', 9: 'strings', 10: 'tensors', 11: 'graphs',
  13: 'doc_string', 14: 'tp', 15: 'type_protos', 20: 'type', 21: 'ref_attr_name', 22: 'sparse_tensor', 23: 'sparse_tensors',
};

/** GraphProto spanning [r.pos, end). depth 0 is the main graph. */
export function decodeGraph(r: Reader, end: number, depth: number, ctx: DecodeContext): Graph {
  if (depth > MAX_DEPTH) r.fail(`graphs nested deeper than ${MAX_DEPTH} levels (If/Loop/Scan bodies) at byte ${r.pos}`);
  const nodes: Node[] = [];
  const inits: Tensor[] = [];
  const sparse: Tensor[] = [];
  const inputs: Tensor[] = [];
  const outputs: Tensor[] = [];
  const infos: Tensor[] = [];
  let name = '';
  let field = 0;
  try {
    while (r.pos < end) {
      const tag = r.tag();
      field = tag >>> 3;
      const wire = tag & 7;
      switch (field) {
        case 1: {
          const e = r.message(wire, end);
          nodes.push(decodeNode(r, e, depth, ctx, nodes.length));
          if (depth === 0 && r.pos >= ctx.nextTick) ctx.tick(r.pos);
          break;
        }
        case 2:
          r.expect(wire, WIRE_LEN);
          name = r.string(end);
          break;
        case 5: {
          const e = r.message(wire, end);
          const t = decodeTensor(r, e);
          t.isConstant = true;
          inits.push(t);
          if (depth === 0 && r.pos >= ctx.nextTick) ctx.tick(r.pos);
          break;
        }
        case 11: case 12: case 13: {
          const e = r.message(wire, end);
          (field === 11 ? inputs : field === 12 ? outputs : infos).push(decodeValueInfo(r, e));
          break;
        }
        case 15: {
          const e = r.message(wire, end);
          sparse.push(sparseInitializer(decodeSparse(r, e)));
          ctx.notes.add('the model has sparse initializers; they are listed as constants without dense data');
          break;
        }
        default:
          r.skip(wire, end);
      }
    }
    r.checkEnd(end);
  } catch (e) {
    const counts: Record<number, number> = { 1: nodes.length, 5: inits.length, 11: inputs.length, 12: outputs.length, 13: infos.length, 15: sparse.length };
    throw withPath(e, fieldLabel(GRAPH_FIELDS, field, counts[field] ?? -1));
  }
  return assemble(name, nodes, inits, sparse, inputs, outputs, infos);
}

function assemble(name: string, nodes: Node[], inits: Tensor[], sparse: Tensor[], inputs: Tensor[], outputs: Tensor[], infos: Tensor[]): Graph {
  const tensors = new Map<string, Tensor>();
  // One Map operation per value_info (a big model has one per activation): later sets overwrite,
  // so the more authoritative lists go last: graph inputs over value_info, constants over all.
  for (const v of infos) tensors.set(v.name, v);
  for (const v of outputs) tensors.set(v.name, v);
  for (const v of inputs) tensors.set(v.name, v);
  for (const list of [sparse, inits]) {
    for (const t of list) {
      const declared = tensors.get(t.name);
      if (declared?.doc && !t.doc) t.doc = declared.doc;
      tensors.set(t.name, t);
    }
  }
  for (const n of nodes) {
    for (const x of n.inputs) if (x !== '' && !tensors.has(x)) tensors.set(x, { name: x, dtype: 'unknown', shape: null });
    for (const x of n.outputs) if (x !== '' && !tensors.has(x)) tensors.set(x, { name: x, dtype: 'unknown', shape: null });
  }
  tensors.delete(''); // '' marks an omitted optional input, never a tensor
  uniqueNodeNames(nodes);
  const graphInputs: string[] = [];
  for (const v of inputs) if (!tensors.get(v.name)?.isConstant) graphInputs.push(v.name);
  return { name, nodes, inputs: graphInputs, outputs: outputs.map((v) => v.name), tensors };
}

/** The IR wants node names unique in a graph; ONNX only recommends it. Renames `n` to `n_<index>`. */
function uniqueNodeNames(nodes: Node[]): void {
  const seen = new Set<string>();
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i]!;
    if (!seen.has(n.name)) {
      seen.add(n.name);
      continue;
    }
    let name = `${n.name}_${i}`;
    for (let k = 1; seen.has(name); k++) name = `${n.name}_${i}_${k}`;
    n.name = name;
    seen.add(name);
  }
}

function decodeNode(r: Reader, end: number, depth: number, ctx: DecodeContext, index: number): Node {
  const inputs: string[] = [];
  const outputs: string[] = [];
  const attrs: Record<string, AttrValue> = {};
  let name = '';
  let opType = '';
  let domain = '';
  let doc = '';
  let field = 0;
  let nAttrs = 0;
  try {
    while (r.pos < end) {
      const tag = r.tag();
      field = tag >>> 3;
      const wire = tag & 7;
      if (wire === WIRE_LEN && field <= 7) {
        const e = r.lenEnd(end);
        const p = r.pos;
        switch (field) {
          case 1: inputs.push(r.text(p, e)); break;
          case 2: outputs.push(r.text(p, e)); break;
          case 3: name = r.text(p, e); break;
          case 4: opType = r.text(p, e); break;
          case 5: {
            decodeAttribute(r, e, depth, ctx, attrs);
            nAttrs++;
            break;
          }
          case 6: doc = r.text(p, e); break;
          case 7: domain = r.text(p, e); break;
        }
        r.pos = e;
      } else if (field <= 7) {
        r.expect(wire, WIRE_LEN);
      } else r.skip(wire, end);
    }
    r.checkEnd(end);
  } catch (e) {
    const counts: Record<number, number> = { 1: inputs.length, 2: outputs.length, 5: nAttrs };
    throw withPath(e, fieldLabel(NODE_FIELDS, field, counts[field] ?? -1));
  }
  if (opType === '') r.fail(`node ${index} (${name || 'unnamed'}) has no op_type`);
  // slice(): a pushed-to array keeps a 17-slot backing store; the copy is exact-size, and only
  // survivors cost the garbage collector (every node survives the parse).
  const node: Node = { name: name || `${opType}_${index}`, op: 'onnx.' + opType, inputs: inputs.slice(), outputs: outputs.slice(), attrs };
  if (domain) {
    node.domain = domain;
    if (!STANDARD_DOMAINS.has(domain)) node.custom = true;
  }
  if (doc) node.doc = doc;
  return node;
}

/** AttributeProto spanning [r.pos, end), stored into `attrs` under its name. */
function decodeAttribute(r: Reader, end: number, depth: number, ctx: DecodeContext, attrs: Record<string, AttrValue>): void {
  let name = '';
  let type = 0;
  let seen = 0; // AttributeType of the last value field present, for files that omit `type`
  let f = 0;
  let i = 0;
  let sStart = 0;
  let sEnd = 0;
  let t: Tensor | undefined;
  let g: Graph | undefined;
  // Lists are allocated on first use: most attributes are a single int or an ints list.
  let floats: number[] | undefined;
  let ints: number[] | undefined;
  let strings: string[] | undefined;
  let tensors: Tensor[] | undefined;
  let graphs: Graph[] | undefined;
  let types: TypeJson[] | undefined;
  let sparse: SparseTensor[] | undefined;
  let ref = '';
  let field = 0;
  try {
    while (r.pos < end) {
      const tag = r.tag();
      field = tag >>> 3;
      const wire = tag & 7;
      switch (field) {
        case 1: r.expect(wire, WIRE_LEN); name = r.string(end); break;
        case 2: r.expect(wire, WIRE_I32); f = r.float32(end); seen = 1; break;
        case 3: r.expect(wire, WIRE_VARINT); i = r.int64(); seen = 2; break;
        case 4: r.expect(wire, WIRE_LEN); sEnd = r.lenEnd(end); sStart = r.pos; r.pos = sEnd; seen = 3; break;
        case 5: { const e = r.message(wire, end); t = decodeTensor(r, e); seen = 4; break; }
        case 6: { const e = r.message(wire, end); g = decodeGraph(r, e, depth + 1, ctx); seen = 5; break; }
        case 7:
          floats ??= [];
          if (wire === WIRE_LEN) {
            const e = r.lenEnd(end);
            while (r.pos < e) floats.push(r.float32(e));
          } else {
            r.expect(wire, WIRE_I32);
            floats.push(r.float32(end));
          }
          seen = 6;
          break;
        case 8:
          ints ??= [];
          r.int64s(wire, end, ints);
          seen = 7;
          break;
        case 9: r.expect(wire, WIRE_LEN); (strings ??= []).push(r.string(end)); seen = 8; break;
        case 10: { const e = r.message(wire, end); (tensors ??= []).push(decodeTensor(r, e)); seen = 9; break; }
        case 11: { const e = r.message(wire, end); (graphs ??= []).push(decodeGraph(r, e, depth + 1, ctx)); seen = 10; break; }
        case 14: case 15: {
          const e = r.message(wire, end);
          const tmp: TypeTarget = { dtype: 'unknown', shape: null };
          const text = decodeType(r, e, 0, tmp);
          (types ??= []).push({ type: text === 'tensor' ? `tensor(${tmp.dtype})` : text, dtype: tmp.dtype, shape: tmp.shape });
          seen = field === 14 ? 13 : 14;
          break;
        }
        case 20: r.expect(wire, WIRE_VARINT); type = r.int32(); break;
        case 21: r.expect(wire, WIRE_LEN); ref = r.string(end); break;
        case 22: case 23: {
          const e = r.message(wire, end);
          (sparse ??= []).push(decodeSparse(r, e));
          seen = field === 22 ? 11 : 12;
          break;
        }
        default:
          r.skip(wire, end);
      }
    }
    r.checkEnd(end);
  } catch (e) {
    const counts: Record<number, number> = {
      7: floats?.length ?? 0, 8: ints?.length ?? 0, 9: strings?.length ?? 0, 10: tensors?.length ?? 0, 11: graphs?.length ?? 0,
    };
    throw withPath(e, fieldLabel(ATTR_FIELDS, field, counts[field] ?? -1) + (name ? `(${name})` : ''));
  }
  let v: AttrValue;
  if (ref) v = { kind: 'json', value: { refAttrName: ref } };
  else {
    switch (type || seen) {
      case 1: v = { kind: 'float', value: f }; break;
      case 2: v = { kind: 'int', value: i }; break;
      case 3: v = { kind: 'string', value: r.text(sStart, sEnd) }; break;
      case 4: v = { kind: 'tensor', value: t ?? missing(r, name, 'TENSOR') }; break;
      case 5: v = { kind: 'graph', value: g ?? missing(r, name, 'GRAPH') }; break;
      case 6: v = { kind: 'floats', value: floats ? floats.slice() : [] }; break;
      case 7: v = { kind: 'ints', value: ints ? ints.slice() : [] }; break;
      case 8: v = { kind: 'strings', value: strings ?? [] }; break;
      case 9: v = { kind: 'tensors', value: tensors ?? [] }; break;
      case 10: v = { kind: 'graphs', value: graphs ?? [] }; break;
      case 11: v = { kind: 'json', value: { sparseTensor: sparse?.[0] ?? missing(r, name, 'SPARSE_TENSOR') } }; break;
      case 12: v = { kind: 'json', value: { sparseTensors: sparse ?? [] } }; break;
      case 13: v = { kind: 'json', value: { type: types?.[0] ?? missing(r, name, 'TYPE_PROTO') } }; break;
      case 14: v = { kind: 'json', value: { types: types ?? [] } }; break;
      default: v = { kind: 'json', value: type ? { unsupportedAttributeType: type } : null };
    }
  }
  setKey(attrs, name, v);
}

function missing(r: Reader, name: string, what: string): never {
  return r.fail(`attribute '${name}' of type ${what} has no value`);
}

interface TypeJson {
  type: string;
  dtype: string;
  shape: unknown;
}

export interface SparseTensor {
  dims: number[];
  values: Tensor | null;
  indices: Tensor | null;
}

/** SparseTensorProto: values = 1, indices = 2, dims = 3. */
function decodeSparse(r: Reader, end: number): SparseTensor {
  const out: SparseTensor = { dims: [], values: null, indices: null };
  while (r.pos < end) {
    const tag = r.tag();
    const wire = tag & 7;
    const f = tag >>> 3;
    if (f === 1 || f === 2) {
      const e = r.message(wire, end);
      const t = decodeTensor(r, e);
      if (f === 1) out.values = t;
      else out.indices = t;
    } else if (f === 3) {
      r.int64s(wire, end, out.dims);
    } else r.skip(wire, end);
  }
  r.checkEnd(end);
  return out;
}

function sparseInitializer(s: SparseTensor): Tensor {
  const v = s.values;
  const stored = v?.shape?.[0] ?? 0;
  return {
    name: v?.name ?? '',
    dtype: v?.dtype ?? 'unknown',
    shape: s.dims,
    isConstant: true,
    doc: `sparse initializer: ${stored} stored values, not expanded to dense data`,
  };
}

/**
 * Nested graphs name outer-scope tensors without declaring them. Give those entries the dtype
 * and shape the enclosing graphs know, so the inspector shows them typed.
 */
export function typeOuterScope(g: Graph, outer: Array<Map<string, Tensor>>): void {
  const scopes = [g.tensors, ...outer];
  for (const n of g.nodes) {
    for (const key in n.attrs) {
      const a = n.attrs[key]!;
      const subs = a.kind === 'graph' ? [a.value] : a.kind === 'graphs' ? a.value : null;
      if (!subs) continue;
      for (const sub of subs) {
        for (const t of sub.tensors.values()) {
          if (t.dtype !== 'unknown' || t.shape !== null) continue;
          for (const scope of scopes) {
            const o = scope.get(t.name);
            if (o && o.dtype !== 'unknown') {
              t.dtype = o.dtype;
              t.shape = o.shape ? o.shape.slice() : null;
              break;
            }
          }
        }
        typeOuterScope(sub, scopes);
      }
    }
  }
}
