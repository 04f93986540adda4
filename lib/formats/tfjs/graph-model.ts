/**
 * TF.js graph models: modelTopology is a TensorFlow GraphDef in proto3 JSON. Const nodes become
 * constant tensors (values from the weight files), Placeholders become graph inputs, every
 * other node one IR node `tf.<op>`. Library functions (bodies of StatefulPartitionedCall,
 * While, If...) and the modelInitializer graph become Model.graphs[1..].
 */
import type { AttrValue, Dim, Graph, Node, Tensor } from '../../ir/types';
import { arr, Ctx, isObject, metaString, obj, optArr, optObj, str, type JsonObject } from './json';
import { outputDType, tfAttr, tfDType, tfShape, tfTensor, type FuncIndex } from './tf-attrs';
import type { DecodedWeight } from './weights';

const MAX_NODES = 2_000_000;

interface NodeDef {
  name: string;
  op: string;
  inputs: string[];
  control: string[];
  attr: JsonObject;
  device?: string;
}

function parseNodes(list: unknown[], path: string, ctx: Ctx): NodeDef[] {
  if (list.length > MAX_NODES) ctx.fail(`${path} has ${list.length} nodes, more than the ${MAX_NODES} this reader accepts`);
  const seen = new Set<string>();
  return list.map((n, i) => {
    const p = `${path}[${i}]`;
    const o = obj(n, p, ctx);
    const name = str(o.name, `${p}.name`, ctx);
    if (name === '') ctx.fail(`${p}.name is empty`);
    if (seen.has(name)) ctx.fail(`${p}.name "${name}" is used by two nodes`);
    seen.add(name);
    const op = str(o.op, `${p}.op`, ctx);
    const inputs: string[] = [];
    const control: string[] = [];
    optArr(o.input, `${p}.input`, ctx).forEach((x, k) => {
      const s = str(x, `${p}.input[${k}]`, ctx);
      if (s.startsWith('^')) control.push(s.slice(1));
      else inputs.push(s);
    });
    const attr = optObj(o.attr, `${p}.attr`, ctx) ?? {};
    const device = typeof o.device === 'string' && o.device !== '' ? o.device : undefined;
    return { name, op, inputs, control, attr, device };
  });
}

/**
 * A tensor reference 'node', 'node:k' (GraphDef) or 'node:out_arg:k' (function bodies) as the
 * IR names tensors: output 0 of a node is the bare node name.
 */
export function tensorRef(ref: string): { producer: string; name: string; index: number } {
  const parts = ref.split(':');
  const producer = parts[0] ?? ref;
  if (parts.length === 2 && /^\d+$/.test(parts[1]!)) {
    const index = Number(parts[1]);
    return { producer, name: index === 0 ? producer : ref, index };
  }
  return { producer, name: ref, index: parts.length === 1 ? 0 : -1 };
}

interface BuildOptions {
  name: string;
  /** Function bodies: input args (name, dtype) act as graph inputs. */
  args?: Array<{ name: string; dtype: Tensor['dtype'] }>;
  /** Graph outputs as refs; when absent, outputs are the nodes nothing consumes. */
  outputs?: string[];
  signatureInputs?: Map<string, { dtype: Tensor['dtype']; shape: Dim[] | null }>;
  /** Declared output shapes/dtypes fill in what the nodes' own attributes leave unknown. */
  signatureOutputs?: Map<string, { dtype: Tensor['dtype']; shape: Dim[] | null }>;
}

/** Ops whose node has no data outputs (only control edges leave them). */
const NO_OUTPUT_OPS = new Set(['NoOp', 'Assert', 'SaveV2', 'RestoreV2']);

export function buildGraph(defs: NodeDef[], weights: Map<string, DecodedWeight>, funcs: FuncIndex, opts: BuildOptions, ctx: Ctx): Graph {
  const tensors = new Map<string, Tensor>();
  const nodes: Node[] = [];
  const inputs: string[] = [];
  for (const a of opts.args ?? []) {
    tensors.set(a.name, { name: a.name, dtype: a.dtype, shape: null });
    inputs.push(a.name);
  }

  const byName = new Map(defs.map((d) => [d.name, d]));
  // Constants and inputs have one output, named after the node even when a function body
  // refers to it as 'node:output:0'.
  const resolve = (ref: string): string => {
    const r = tensorRef(ref);
    const op = byName.get(r.producer)?.op;
    return op === 'Const' || op === 'Placeholder' ? r.producer : r.name;
  };

  // Which outputs of each producer are used decides how many outputs a node lists.
  const used = new Map<string, Set<string>>();
  const maxIndex = new Map<string, number>();
  const consumed = new Set<string>();
  const note = (ref: string) => {
    const r = tensorRef(ref);
    consumed.add(r.producer);
    let s = used.get(r.producer);
    if (!s) used.set(r.producer, (s = new Set()));
    s.add(r.name);
    if (r.index > (maxIndex.get(r.producer) ?? 0)) maxIndex.set(r.producer, r.index);
  };
  for (const d of defs) {
    d.inputs.forEach(note);
    d.control.forEach((c) => consumed.add(c));
  }
  (opts.outputs ?? []).forEach(note);

  let missingWeights = 0;
  for (const d of defs) {
    if (d.op === 'Const') {
      const w = weights.get(d.name);
      const value = isObject(d.attr.value) ? d.attr.value.tensor : undefined;
      if (w) {
        tensors.set(d.name, { name: d.name, dtype: w.dtype, shape: w.shape, data: w.data, isConstant: true, ...(w.storage ? { storage: w.storage } : {}) });
      } else {
        const t = tfTensor(value, d.name);
        if (t.dtype === 'unknown' && isObject(d.attr.dtype)) t.dtype = tfDType(d.attr.dtype.type);
        if (!t.data) missingWeights++;
        tensors.set(d.name, t);
      }
      continue;
    }
    if (d.op === 'Placeholder') {
      const sig = opts.signatureInputs?.get(d.name);
      const dtype = isObject(d.attr.dtype) ? tfDType(d.attr.dtype.type) : sig?.dtype ?? 'unknown';
      const shape = isObject(d.attr.shape) ? tfShape(d.attr.shape.shape) : sig?.shape ?? null;
      tensors.set(d.name, { name: d.name, dtype, shape });
      inputs.push(d.name);
      continue;
    }
    const attrs: Record<string, AttrValue> = {};
    for (const [k, v] of Object.entries(d.attr)) {
      if (k === '_output_shapes') continue;
      attrs[k] = tfAttr(v, `${d.name}.${k}`, funcs);
    }
    if (d.control.length > 0) attrs._control_inputs = { kind: 'strings', value: d.control };
    let outputs: string[];
    if (NO_OUTPUT_OPS.has(d.op) && !used.has(d.name)) outputs = [];
    else {
      outputs = [d.name];
      const max = maxIndex.get(d.name) ?? 0;
      for (let k = 1; k <= max; k++) outputs.push(`${d.name}:${k}`);
      for (const u of used.get(d.name) ?? []) if (!outputs.includes(u)) outputs.push(u);
    }
    const shapes = isObject(d.attr._output_shapes) && isObject(d.attr._output_shapes.list) && Array.isArray(d.attr._output_shapes.list.shape)
      ? d.attr._output_shapes.list.shape : [];
    const dtype = outputDType(attrs, d.op);
    outputs.forEach((o, k) => tensors.set(o, { name: o, dtype, shape: k < shapes.length ? tfShape(shapes[k]) : null }));
    const inputNames = d.inputs.map(resolve);
    nodes.push({ name: d.name, op: `tf.${d.op}`, inputs: inputNames, outputs, attrs, ...(d.device ? { doc: d.device } : {}) });
  }

  // Inputs that name nothing in this graph (a corrupt file, or a function capturing outer values).
  let dangling = 0;
  for (const n of nodes) for (const i of n.inputs) {
    if (!tensors.has(i)) {
      tensors.set(i, { name: i, dtype: 'unknown', shape: null });
      if (!byName.has(tensorRef(i).producer)) dangling++;
    }
  }
  if (dangling > 0) ctx.warn(`${opts.name}: ${dangling} node input(s) refer to tensors no node produces`);
  if (missingWeights > 0) ctx.warn(`${opts.name}: ${missingWeights} Const node(s) have no value in the weights manifest`);

  let outputs: string[] = [];
  if (opts.outputs && opts.outputs.length > 0) {
    outputs = opts.outputs.map(resolve);
    for (const o of outputs) if (!tensors.has(o)) tensors.set(o, { name: o, dtype: 'unknown', shape: null });
    for (const [ref, sig] of opts.signatureOutputs ?? []) {
      const t = tensors.get(resolve(ref));
      if (!t) continue;
      if (t.shape === null && sig.shape !== null) t.shape = sig.shape;
      if (t.dtype === 'unknown') t.dtype = sig.dtype;
    }
  } else {
    for (const n of nodes) if (!consumed.has(n.name) && n.outputs[0] !== undefined) outputs.push(n.outputs[0]);
  }
  return { name: opts.name, nodes, inputs, outputs, tensors };
}

function signatureTensors(sig: unknown, key: 'inputs' | 'outputs'): Map<string, { dtype: Tensor['dtype']; shape: Dim[] | null }> {
  const out = new Map<string, { dtype: Tensor['dtype']; shape: Dim[] | null }>();
  if (!isObject(sig) || !isObject(sig[key])) return out;
  for (const [k, v] of Object.entries(sig[key] as JsonObject)) {
    const name = isObject(v) && typeof v.name === 'string' ? v.name : k;
    out.set(tensorRef(name).name, {
      dtype: isObject(v) ? tfDType(v.dtype) : 'unknown',
      shape: isObject(v) && isObject(v.tensorShape) ? tfShape(v.tensorShape) : null,
    });
  }
  return out;
}

export function readGraphModel(doc: JsonObject, weights: Map<string, DecodedWeight>, ctx: Ctx): { graphs: Graph[]; metadata: Record<string, string> } {
  const topo = obj(doc.modelTopology, 'modelTopology', ctx);
  const mainDefs = parseNodes(arr(topo.node, 'modelTopology.node', ctx), 'modelTopology.node', ctx);

  // Function bodies first get their indices so attrs can point at them (kind 'subgraph').
  const library = optObj(topo.library, 'modelTopology.library', ctx);
  const fns = optArr(library?.function, 'modelTopology.library.function', ctx).map((f, i) => {
    const p = `modelTopology.library.function[${i}]`;
    const fo = obj(f, p, ctx);
    const sig = obj(fo.signature, `${p}.signature`, ctx);
    const name = str(sig.name, `${p}.signature.name`, ctx);
    return { fo, sig, name, p };
  });
  const initializer = optObj(doc.modelInitializer, 'modelInitializer', ctx);
  const funcs: FuncIndex = new Map(fns.map((f, i) => [f.name, i + 1]));

  const sigIn = signatureTensors(doc.signature, 'inputs');
  const sigOutMap = signatureTensors(doc.signature, 'outputs');
  const sigOut = [...sigOutMap.keys()];
  const mainNames = new Set(mainDefs.map((d) => d.name));
  const outputsKnown = sigOut.length > 0 && sigOut.every((o) => mainNames.has(tensorRef(o).producer));
  if (sigOut.length > 0 && !outputsKnown) ctx.warn('signature outputs name nodes the graph does not have; using unconsumed nodes instead');
  const main = buildGraph(mainDefs, weights, funcs, {
    name: 'main', signatureInputs: sigIn, outputs: outputsKnown ? sigOut : undefined,
    ...(outputsKnown ? { signatureOutputs: sigOutMap } : {}),
  }, ctx);
  const graphs: Graph[] = [main];

  for (const f of fns) {
    const args = optArr(f.sig.inputArg, `${f.p}.signature.inputArg`, ctx).map((a, k) => {
      const ao = obj(a, `${f.p}.signature.inputArg[${k}]`, ctx);
      return { name: str(ao.name, `${f.p}.signature.inputArg[${k}].name`, ctx), dtype: tfDType(ao.type) };
    });
    const ret = optObj(f.fo.ret, `${f.p}.ret`, ctx) ?? {};
    const outArgs = optArr(f.sig.outputArg, `${f.p}.signature.outputArg`, ctx);
    const outputs = outArgs.map((a) => (isObject(a) && typeof a.name === 'string' ? ret[a.name] : undefined))
      .filter((r): r is string => typeof r === 'string');
    const defs = parseNodes(optArr(f.fo.nodeDef, `${f.p}.nodeDef`, ctx), `${f.p}.nodeDef`, ctx);
    graphs.push(buildGraph(defs, weights, funcs, { name: f.name, args, outputs }, ctx));
  }
  if (initializer) {
    const defs = parseNodes(optArr(initializer.node, 'modelInitializer.node', ctx), 'modelInitializer.node', ctx);
    graphs.push(buildGraph(defs, weights, funcs, { name: 'modelInitializer' }, ctx));
  }

  // Weights no Const node claims would otherwise vanish from the model; keep them visible.
  const claimed = new Set<string>();
  for (const g of graphs) for (const t of g.tensors.values()) if (t.isConstant) claimed.add(t.name);
  let orphans = 0;
  for (const [name, w] of weights) {
    if (claimed.has(name) || main.tensors.has(name)) continue;
    main.tensors.set(name, { name, dtype: w.dtype, shape: w.shape, data: w.data, isConstant: true, ...(w.storage ? { storage: w.storage } : {}) });
    orphans++;
  }
  if (orphans > 0) ctx.warn(`${orphans} weight(s) in the manifest match no Const node; kept as unconnected constants`);

  const metadata: Record<string, string> = {};
  for (const k of ['format', 'generatedBy', 'convertedBy'] as const) if (doc[k] !== undefined && doc[k] !== null) metadata[k] = metaString(doc[k]);
  if (doc.signature !== undefined) metadata.signature = metaString(doc.signature);
  if (doc.userDefinedMetadata !== undefined) metadata.userDefinedMetadata = metaString(doc.userDefinedMetadata);
  if (isObject(topo.versions) && topo.versions.producer !== undefined) metadata.graphDefProducer = String(topo.versions.producer);
  if (fns.length > 0) metadata.libraryFunctions = `${fns.length} (Model.graphs[1..${fns.length}])`;
  if (initializer) metadata.modelInitializer = `Model.graphs[${graphs.length - 1}]`;
  return { graphs, metadata };
}
