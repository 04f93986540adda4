/**
 * IR Model (dialect `onnx`) -> ModelProto bytes, the inverse of model.ts and graph.ts:
 * `readOnnx(writeOnnx(m))` gives `m` back. Two passes over the same encoding code (encode.ts):
 * the first measures every message, the second writes into one buffer of that size, so each
 * weight's bytes are copied exactly once. Tensor and type encoding live in write-tensor.ts and
 * write-types.ts.
 */
import type { AttrValue, Dim, Graph, Model, Node, Tensor } from '../../ir/types';
import { Sizer, Writer, type Sink } from './encode';
import { OnnxWriteError, checkInt, dtypeCode, encodeSparse, encodeTensor, fail } from './write-tensor';
import { encodeTypeJson, encodeValueInfo } from './write-types';

/** protobuf's limit for one message; bigger models need external data, which is not written. */
const MAX_BYTES = 2 ** 31 - 1;

/** The metadata keys model.ts fills from ModelProto's own fields; every other key is a metadata_prop. */
const FIELD_KEYS = new Set(['irVersion', 'modelVersion', 'producer', 'producerVersion', 'domain', 'doc']);
/** model.ts files a metadata_prop whose key is already taken under this prefix. */
const TAKEN = 'metadata_props.';

/**
 * Lowest IR version for each ai.onnx opset (onnx/helper.py VERSION_TABLE), for models built by
 * code that set no `metadata.irVersion`: [highest opset, IR version].
 */
const IR_FOR_OPSET: Array<[number, number]> = [[8, 3], [9, 4], [10, 5], [11, 6], [14, 7], [18, 8], [20, 9], [22, 10], [23, 11]];

/** Enclosing graphs' tensors, nearest first: where the reader types a nested graph's outer names. */
type Scopes = ReadonlyArray<Map<string, Tensor>>;

export function writeOnnx(model: Model): Uint8Array {
  if (model.dialect !== 'onnx') fail(`the model is in the ${model.dialect} dialect; the ONNX writer writes onnx models only`);
  if (model.graphs.length !== 1) fail(`ONNX models have one main graph (nested graphs live in node attributes), this one has ${model.graphs.length}`);
  const ir = irVersion(model);
  const sizer = new Sizer();
  encodeModel(sizer, model, ir);
  if (sizer.total > MAX_BYTES) {
    fail(`the model needs ${(sizer.total / 2 ** 30).toFixed(2)} GiB; an ONNX file is one protobuf message, limited to 2 GiB, and writing weights as external data is not supported`);
  }
  const w = new Writer(sizer.total, sizer.sizes);
  encodeModel(w, model, ir);
  return w.finish();
}

function wholeNumber(text: string, key: string): number {
  if (!/^-?\d+$/.test(text)) fail(`metadata.${key} '${text}' is not a whole number`);
  return Number(text);
}

function irVersion(model: Model): number {
  const text = model.metadata.irVersion;
  if (text !== undefined) return wholeNumber(text, 'irVersion');
  const opset = model.opsets[''];
  if (opset === undefined) fail("metadata.irVersion is not set and there is no ai.onnx opset (opsets['']) to choose one for");
  const row = IR_FOR_OPSET.find(([max]) => opset <= max);
  if (!row) fail(`metadata.irVersion is not set and no IR version is known for ai.onnx opset ${opset}`);
  return row[1];
}

function encodeModel(s: Sink, model: Model, ir: number): void {
  const m = model.metadata;
  s.int(1, ir);
  if (m.producer !== undefined) s.string(2, m.producer);
  if (m.producerVersion !== undefined) s.string(3, m.producerVersion);
  if (m.domain !== undefined) s.string(4, m.domain);
  if (m.modelVersion !== undefined) s.int(5, wholeNumber(m.modelVersion, 'modelVersion'));
  if (m.doc !== undefined) s.string(6, m.doc);
  s.begin(7);
  encodeGraph(s, model.graphs[0]!, [], ir <= 3);
  s.end();
  for (const domain in model.opsets) {
    s.begin(8);
    s.string(1, domain);
    s.int(2, checkInt(model.opsets[domain]!, `opset version of '${domain}'`));
    s.end();
  }
  for (const key in m) {
    if (FIELD_KEYS.has(key)) continue;
    const bare = key.startsWith(TAKEN) ? key.slice(TAKEN.length) : '';
    s.begin(14);
    s.string(1, bare && Object.hasOwn(m, bare) ? bare : key);
    s.string(2, m[key]!);
    s.end();
  }
}

/** Constants are initializers; so is any tensor with data, so that a weight built without `isConstant` is not dropped. */
function isInitializer(t: Tensor): boolean {
  return t.isConstant === true || t.data !== undefined;
}

function sameShape(a: Dim[] | null, b: Dim[] | null): boolean {
  if (a === null || b === null) return a === b;
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * An intermediate gets value_info when anything about it is known, unless the reader would give
 * it the same type anyway from an enclosing graph (typeOuterScope in graph.ts): outer names a
 * body merely uses are not declared in the body.
 */
function needsValueInfo(t: Tensor, outer: Scopes): boolean {
  if (t.doc) return true;
  if (t.dtype === 'unknown' && t.shape === null) return false;
  for (const scope of outer) {
    const o = scope.get(t.name);
    if (o && o.dtype !== 'unknown') return o.dtype !== t.dtype || !sameShape(o.shape, t.shape);
  }
  return true;
}

/** `initializersAsInputs`: IR 3 and older list every initializer of the main graph as a graph input too. */
function encodeGraph(s: Sink, g: Graph, outer: Scopes, initializersAsInputs: boolean): void {
  try {
    const scopes = [g.tensors, ...outer];
    for (const n of g.nodes) {
      s.begin(1);
      encodeNode(s, n, scopes);
      s.end();
    }
    if (g.name) s.string(2, g.name);
    for (const t of g.tensors.values()) {
      if (!isInitializer(t)) continue;
      s.begin(5);
      encodeTensor(s, t);
      s.end();
    }
    const inputs = new Set(g.inputs);
    const declared = (field: number, name: string, t: Tensor | undefined, withDoc: boolean): void => {
      try {
        s.begin(field);
        encodeValueInfo(s, name, t, withDoc);
        s.end();
      } catch (e) {
        throw OnnxWriteError.within(e, `${field === 11 ? 'input' : field === 12 ? 'output' : 'value_info'} '${name}'`);
      }
    };
    for (const x of g.inputs) declared(11, x, g.tensors.get(x) ?? fail(`graph input '${x}' is not in graph.tensors`), true);
    if (initializersAsInputs) for (const t of g.tensors.values()) if (isInitializer(t) && !inputs.has(t.name)) declared(11, t.name, t, false);
    for (const x of g.outputs) declared(12, x, g.tensors.get(x) ?? fail(`graph output '${x}' is not in graph.tensors`), true);
    const outputs = new Set(g.outputs);
    for (const t of g.tensors.values()) {
      if (!isInitializer(t) && !inputs.has(t.name) && !outputs.has(t.name) && needsValueInfo(t, outer)) declared(13, t.name, t, true);
    }
  } catch (e) {
    throw OnnxWriteError.within(e, `graph '${g.name}'`);
  }
}

function encodeNode(s: Sink, n: Node, scopes: Scopes): void {
  try {
    if (!n.op.startsWith('onnx.') || n.op.length === 5) fail('the op is not in the onnx dialect (onnx.<op_type>)');
    for (const x of n.inputs) s.string(1, x);
    for (const x of n.outputs) s.string(2, x);
    s.string(3, n.name);
    s.string(4, n.op.slice(5));
    for (const key in n.attrs) {
      s.begin(5);
      encodeAttr(s, key, n.attrs[key]!, scopes);
      s.end();
    }
    if (n.doc) s.string(6, n.doc);
    if (n.domain) s.string(7, n.domain);
  } catch (e) {
    throw OnnxWriteError.within(e, `node '${n.name}' (${n.op})`);
  }
}

/**
 * AttributeProto: the value in its field, then `type` (AttributeProto.AttributeType). Nested
 * graphs are If / Loop / Scan bodies, whose inputs are the body's parameters: they never list
 * their initializers as inputs, whatever the IR version.
 */
function encodeAttr(s: Sink, name: string, a: AttrValue, scopes: Scopes): void {
  try {
    s.string(1, name);
    let type = 0;
    switch (a.kind) {
      case 'float': s.float(2, a.value); type = 1; break;
      case 'int': s.int(3, checkInt(a.value, 'value')); type = 2; break;
      // ONNX has no boolean or data-type attributes: ops take them as INT (e.g. Cast's `to`).
      case 'bool': s.int(3, a.value ? 1 : 0); type = 2; break;
      case 'dtype': s.int(3, dtypeCode(a.value)); type = 2; break;
      // STRING attributes are bytes on the wire.
      case 'string': s.string(4, a.value); type = 3; break;
      case 'bytes': s.bytes(4, a.value); type = 3; break;
      case 'tensor': s.begin(5); encodeTensor(s, a.value); s.end(); type = 4; break;
      case 'graph': s.begin(6); encodeGraph(s, a.value, scopes, false); s.end(); type = 5; break;
      case 'floats': s.floats(7, a.value); type = 6; break;
      case 'ints':
        for (const v of a.value) checkInt(v, 'value');
        s.ints(8, a.value);
        type = 7;
        break;
      case 'strings': for (const v of a.value) s.string(9, v); type = 8; break;
      case 'tensors':
        for (const t of a.value) {
          s.begin(10);
          encodeTensor(s, t);
          s.end();
        }
        type = 9;
        break;
      case 'graphs':
        for (const g of a.value) {
          s.begin(11);
          encodeGraph(s, g, scopes, false);
          s.end();
        }
        type = 10;
        break;
      case 'json': type = encodeJsonAttr(s, a.value); break;
      case 'shape': case 'subgraph': fail(`kind '${a.kind}' has no ONNX attribute type`);
    }
    if (type) s.int(20, type);
  } catch (e) {
    throw OnnxWriteError.within(e, `attribute '${name}'`);
  }
}

/**
 * The attribute types the reader keeps as 'json' (graph.ts decodeAttribute), written back as
 * they were read. Returns the AttributeType, 0 when the attribute had none.
 */
function encodeJsonAttr(s: Sink, v: unknown): number {
  if (v === null) return 0;
  if (typeof v !== 'object') fail(`json value ${JSON.stringify(v)} has no ONNX attribute type`);
  const o = v as Record<string, unknown>;
  if (typeof o.refAttrName === 'string') {
    s.string(21, o.refAttrName);
    return 0;
  }
  if (typeof o.unsupportedAttributeType === 'number') return checkInt(o.unsupportedAttributeType, 'attribute type');
  const each = (field: number, items: unknown, encode: (s: Sink, x: unknown) => void): void => {
    if (!Array.isArray(items)) fail(`json value '${field === 23 ? 'sparseTensors' : 'types'}' is not a list`);
    for (const x of items) {
      s.begin(field);
      encode(s, x);
      s.end();
    }
  };
  if ('sparseTensor' in o) {
    each(22, [o.sparseTensor], encodeSparse);
    return 11;
  }
  if ('sparseTensors' in o) {
    each(23, o.sparseTensors, encodeSparse);
    return 12;
  }
  if ('type' in o) {
    each(14, [o.type], encodeTypeJson);
    return 13;
  }
  if ('types' in o) {
    each(15, o.types, encodeTypeJson);
    return 14;
  }
  return fail(`json value with keys ${Object.keys(o).join(', ') || '(none)'} has no ONNX attribute type`);
}
