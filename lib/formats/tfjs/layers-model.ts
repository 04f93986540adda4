/**
 * TF.js layers models: modelTopology holds a Keras model config (Sequential or Functional,
 * Keras 2 list-style or Keras 3 dict-style inbound_nodes). Every layer but InputLayer is one IR
 * node `keras.<class_name>`; its weights ('layer/kernel'...) are constant inputs of that node.
 *
 * Nested models (a Sequential/Functional/Model used as a layer) are kept as ONE node, op
 * `keras.<class>`, whose attrs carry the inner config as JSON and whose inputs include every
 * weight of its inner layers. So Graph.nodes = the top-level layers other than InputLayer,
 * always; flattening would need Keras's node-index remapping across model boundaries and would
 * make the node count depend on nesting.
 *
 * Tensor names: call n of layer L, output t -> 'L' (n=0,t=0), 'L:t' (n=0), 'L@n' / 'L@n:t'.
 * A shared layer (called several times) stays one node listing every call's inputs and outputs.
 */
import type { AttrValue, DType, Dim, Graph, Node, Tensor } from '../../ir/types';
import { arr, Ctx, isObject, metaString, obj, optArr, str, type JsonObject } from './json';
import type { DecodedWeight } from './weights';

const MAX_DEPTH = 64;
const MODEL_CLASSES = new Set(['Sequential', 'Functional', 'Model']);

interface Ref { layer: string; node: number; tensor: number; shape?: Dim[] | null }
interface Layer { name: string; className: string; config: JsonObject; calls: Ref[][]; path: string }

export function tensorName(r: { layer: string; node: number; tensor: number }): string {
  const base = r.node === 0 ? r.layer : `${r.layer}@${r.node}`;
  return r.tensor === 0 ? base : `${base}:${r.tensor}`;
}

function kerasShape(v: unknown): Dim[] | null {
  // Keras 2 may write {class_name: 'TensorShape', items: [...]}.
  const list = isObject(v) && Array.isArray(v.items) ? v.items : v;
  if (!Array.isArray(list)) return null;
  return list.map((d) => (typeof d === 'number' && Number.isInteger(d) && d >= 0 ? d : null));
}

const DTYPES = new Set<string>(['float32', 'float16', 'bfloat16', 'float64', 'int8', 'uint8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'uint64', 'bool', 'string', 'complex64']);

/** Keras dtype: a string, a policy name ('mixed_float16') or a Keras 3 DTypePolicy object. */
function kerasDType(v: unknown, fallback: DType): DType {
  if (isObject(v)) return kerasDType(isObject(v.config) ? v.config.name : undefined, fallback);
  if (typeof v !== 'string') return fallback;
  if (v === 'mixed_float16') return 'float16';
  if (v === 'mixed_bfloat16') return 'bfloat16';
  return DTYPES.has(v) ? (v as DType) : fallback;
}

/** Layer config fields as typed attrs; structures stay JSON so nothing is lost. */
export function configAttrs(config: JsonObject): Record<string, AttrValue> {
  const out: Record<string, AttrValue> = {};
  for (const [k, v] of Object.entries(config)) {
    if (k === 'name') continue;
    if (typeof v === 'boolean') out[k] = { kind: 'bool', value: v };
    else if (typeof v === 'string') out[k] = { kind: 'string', value: v };
    else if (typeof v === 'number') out[k] = Number.isInteger(v) ? { kind: 'int', value: v } : { kind: 'float', value: v };
    else if (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'number')) {
      out[k] = v.every((x) => Number.isInteger(x)) ? { kind: 'ints', value: v as number[] } : { kind: 'floats', value: v as number[] };
    } else if (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string')) out[k] = { kind: 'strings', value: v as string[] };
    else out[k] = { kind: 'json', value: v };
  }
  return out;
}

/** A Keras 2 ref [name, node, tensor, kwargs?] or a Keras 3 __keras_tensor__ anywhere in `v`. */
function collectRefs(v: unknown, out: Ref[], depth: number, ctx: Ctx, path: string): void {
  if (depth > MAX_DEPTH) ctx.fail(`${path} is nested more than ${MAX_DEPTH} levels deep`);
  if (Array.isArray(v)) {
    if (typeof v[0] === 'string' && typeof v[1] === 'number' && typeof v[2] === 'number') {
      out.push({ layer: v[0], node: v[1], tensor: v[2] });
      // kwargs (v[3]) may hold more tensors (e.g. a mask).
      if (isObject(v[3])) collectRefs(v[3], out, depth + 1, ctx, path);
      return;
    }
    for (const x of v) collectRefs(x, out, depth + 1, ctx, path);
    return;
  }
  if (!isObject(v)) return;
  const hist = isObject(v.config) ? v.config.keras_history : v.keras_history;
  if (Array.isArray(hist) && typeof hist[0] === 'string') {
    const cfg = isObject(v.config) ? v.config : v;
    out.push({ layer: hist[0], node: Number(hist[1]) || 0, tensor: Number(hist[2]) || 0, shape: 'shape' in cfg ? kerasShape(cfg.shape) : undefined });
    return;
  }
  for (const x of Object.values(v)) collectRefs(x, out, depth + 1, ctx, path);
}

/** inbound_nodes -> one list of input refs per call of the layer. */
function parseCalls(v: unknown, path: string, ctx: Ctx): Ref[][] {
  const calls = optArr(v, path, ctx);
  // Seen in the wild: a single call written as [[name, node, tensor]] flattened one level.
  if (calls.length > 0 && Array.isArray(calls[0]) && typeof (calls[0] as unknown[])[0] === 'string') {
    const refs: Ref[] = [];
    collectRefs(calls, refs, 0, ctx, path);
    return [refs];
  }
  return calls.map((c, i) => {
    const refs: Ref[] = [];
    collectRefs(isObject(c) && ('args' in c || 'kwargs' in c) ? [c.args, c.kwargs] : c, refs, 0, ctx, `${path}[${i}]`);
    return refs;
  });
}

function parseLayers(list: unknown[], path: string, ctx: Ctx): Layer[] {
  const seen = new Set<string>();
  return list.map((l, i) => {
    const p = `${path}[${i}]`;
    const o = obj(l, p, ctx);
    const className = str(o.class_name, `${p}.class_name`, ctx);
    const config = isObject(o.config) ? o.config : Array.isArray(o.config) ? { layers: o.config } : obj(o.config, `${p}.config`, ctx);
    const name = str(o.name ?? config.name, `${p}.name`, ctx);
    if (seen.has(name)) ctx.fail(`${p}.name "${name}" is used by two layers`);
    seen.add(name);
    return { name, className, config, calls: parseCalls(o.inbound_nodes, `${p}.inbound_nodes`, ctx), path: p };
  });
}

/** Names of all layers inside a nested model (any depth), for matching their weights. */
function innerLayerNames(config: JsonObject, out: string[], depth: number): void {
  if (depth > MAX_DEPTH) return;
  const layers = Array.isArray(config.layers) ? config.layers : [];
  for (const l of layers) {
    if (!isObject(l)) continue;
    const c = isObject(l.config) ? l.config : {};
    const n = typeof l.name === 'string' ? l.name : c.name;
    if (typeof n === 'string') out.push(n);
    if (typeof l.class_name === 'string' && MODEL_CLASSES.has(l.class_name)) innerLayerNames(c, out, depth + 1);
  }
}

/** The layer a weight belongs to: longest matching 'a/b' prefix, else any matching path segment. */
function ownerOf(weight: string, owners: Map<string, string>): string | undefined {
  const seg = weight.split('/');
  for (let k = seg.length - 1; k >= 1; k--) {
    const o = owners.get(seg.slice(0, k).join('/'));
    if (o !== undefined) return o;
  }
  for (let k = 0; k < seg.length - 1; k++) {
    const o = owners.get(seg[k]!);
    if (o !== undefined) return o;
  }
  return undefined;
}

function inputTensor(l: Layer): Tensor {
  const c = l.config;
  const shape = kerasShape(c.batch_input_shape ?? c.batch_shape ?? (Array.isArray(c.input_shape) ? [null, ...c.input_shape] : undefined));
  return { name: l.name, dtype: kerasDType(c.dtype, 'float32'), shape };
}

function topRefs(v: unknown, path: string, ctx: Ctx): Ref[] {
  const refs: Ref[] = [];
  if (v === undefined || v === null) return refs;
  // Single input/output may be written as [name, node, tensor] instead of [[...]].
  collectRefs(v, refs, 0, ctx, path);
  return refs;
}

export function readLayersModel(doc: JsonObject, weights: Map<string, DecodedWeight>, ctx: Ctx): { graph: Graph; metadata: Record<string, string> } {
  const topo = obj(doc.modelTopology, 'modelTopology', ctx);
  const modelCfg = topo.model_config !== undefined ? obj(topo.model_config, 'modelTopology.model_config', ctx) : topo;
  const base = topo.model_config !== undefined ? 'modelTopology.model_config' : 'modelTopology';
  const className = str(modelCfg.class_name, `${base}.class_name`, ctx);
  const cfgRaw = modelCfg.config;
  const config: JsonObject = Array.isArray(cfgRaw) ? { layers: cfgRaw } : obj(cfgRaw, `${base}.config`, ctx);
  const layers = parseLayers(arr(config.layers, `${base}.config.layers`, ctx), `${base}.config.layers`, ctx);
  const functional = className !== 'Sequential' && layers.some((l) => l.calls.length > 0);

  const tensors = new Map<string, Tensor>();
  const nodes: Node[] = [];
  const inputs: string[] = [];
  let outputs: string[] = [];
  const nodeOf = new Map<string, Node>();

  if (!functional) {
    let prev: string | undefined;
    layers.forEach((l, i) => {
      if (l.className === 'InputLayer') {
        const t = inputTensor(l);
        tensors.set(t.name, t);
        inputs.push(t.name);
        prev = t.name;
        return;
      }
      if (prev === undefined) {
        // Older Keras / tfjs-layers: no InputLayer, the first layer carries the input shape.
        const t = inputTensor({ ...l, name: `${l.name}_input` });
        tensors.set(t.name, t);
        inputs.push(t.name);
        prev = t.name;
      }
      const out = l.name;
      tensors.set(out, { name: out, dtype: kerasDType(l.config.dtype, 'float32'), shape: null });
      const node: Node = { name: l.name, op: `keras.${l.className}`, inputs: [prev], outputs: [out], attrs: configAttrs(l.config) };
      nodes.push(node);
      nodeOf.set(l.name, node);
      prev = out;
      if (i === layers.length - 1) outputs = [out];
    });
    if (outputs.length === 0 && prev !== undefined) outputs = [prev];
  } else {
    const byName = new Map(layers.map((l) => [l.name, l]));
    const inRefs = topRefs(config.input_layers, `${base}.config.input_layers`, ctx);
    const outRefs = topRefs(config.output_layers, `${base}.config.output_layers`, ctx);
    // Node indices count every call a layer ever had, including ones outside this config (a
    // nested model's own construction is its node 0, so the outer call is written as node 1).
    // Shift each layer's indices so the highest one lands on its last listed call.
    const calls = new Map(layers.map((l) => [l.name, Math.max(1, l.calls.length)]));
    const allRefs = [...layers.flatMap((l) => l.calls.flat()), ...inRefs, ...outRefs];
    const maxNode = new Map<string, number>();
    for (const r of allRefs) maxNode.set(r.layer, Math.max(maxNode.get(r.layer) ?? 0, r.node));
    for (const r of allRefs) {
      const shift = Math.max(0, (maxNode.get(r.layer) ?? 0) - ((calls.get(r.layer) ?? 1) - 1));
      r.node = Math.max(0, r.node - shift);
    }
    // Outputs per (layer, call): as many as the highest tensor index anyone uses.
    const maxT = new Map<string, number>();
    const shapes = new Map<string, Dim[] | null>();
    const use = (r: Ref, where: string) => {
      const src = byName.get(r.layer);
      if (!src) ctx.fail(`${where} refers to layer "${r.layer}", which the model does not have`);
      const key = `${r.layer}@${r.node}`;
      maxT.set(key, Math.max(maxT.get(key) ?? 0, r.tensor));
      if (r.shape !== undefined) shapes.set(tensorName(r), r.shape);
    };
    for (const l of layers) l.calls.forEach((c, ci) => c.forEach((r) => use(r, `${l.path}.inbound_nodes[${ci}]`)));
    outRefs.forEach((r) => use(r, `${base}.config.output_layers`));
    for (const l of layers) {
      if (l.className === 'InputLayer') {
        const t = inputTensor(l);
        tensors.set(t.name, t);
        continue;
      }
      const dtype = kerasDType(l.config.dtype, 'float32');
      const outs: string[] = [];
      const callCount = Math.max(1, l.calls.length);
      for (let n = 0; n < callCount; n++) {
        const max = maxT.get(`${l.name}@${n}`) ?? 0;
        for (let t = 0; t <= max; t++) {
          const name = tensorName({ layer: l.name, node: n, tensor: t });
          outs.push(name);
          tensors.set(name, { name, dtype, shape: shapes.get(name) ?? null });
        }
      }
      const ins = l.calls.flat().map((r) => tensorName(r));
      const attrs = configAttrs(l.config);
      if (l.calls.length > 1) attrs._calls = { kind: 'int', value: l.calls.length };
      const node: Node = { name: l.name, op: `keras.${l.className}`, inputs: ins, outputs: outs, attrs };
      nodes.push(node);
      nodeOf.set(l.name, node);
    }
    // Producers that exist but never declared that output (e.g. an InputLayer used at node 1).
    for (const n of nodes) for (const i of n.inputs) if (!tensors.has(i)) tensors.set(i, { name: i, dtype: 'float32', shape: shapes.get(i) ?? null });
    const inNames = inRefs.length > 0 ? inRefs.map(tensorName) : layers.filter((l) => l.className === 'InputLayer').map((l) => l.name);
    for (const i of inNames) {
      if (!tensors.has(i)) ctx.fail(`${base}.config.input_layers names "${i}", which is not a layer output`);
      inputs.push(i);
    }
    outputs = outRefs.length > 0 ? outRefs.map(tensorName) : nodes.length > 0 ? [nodes[nodes.length - 1]!.outputs[0]!] : [];
  }

  // Attach weights to their layers.
  const owners = new Map<string, string>();
  for (const l of layers) {
    owners.set(l.name, l.name);
    if (MODEL_CLASSES.has(l.className)) {
      const inner: string[] = [];
      innerLayerNames(l.config, inner, 0);
      for (const n of inner) if (!owners.has(n)) owners.set(n, l.name);
    }
  }
  const unassigned: string[] = [];
  for (const [name, w] of weights) {
    const t: Tensor = { name, dtype: w.dtype, shape: w.shape, data: w.data, isConstant: true, ...(w.storage ? { storage: w.storage } : {}) };
    if (tensors.has(name)) ctx.warn(`weight "${name}" has the same name as a layer output; the weight is kept`);
    tensors.set(name, t);
    const owner = ownerOf(name, owners);
    const node = owner === undefined ? undefined : nodeOf.get(owner);
    if (node) node.inputs.push(name);
    else unassigned.push(name);
  }
  if (unassigned.length > 0) ctx.warn(`${unassigned.length} weight(s) match no layer and stay unconnected: ${unassigned.slice(0, 5).join(', ')}${unassigned.length > 5 ? ', …' : ''}`);

  const metadata: Record<string, string> = { modelClass: className };
  if (typeof config.name === 'string') metadata.modelName = config.name;
  for (const k of ['format', 'generatedBy', 'convertedBy'] as const) if (doc[k] !== undefined && doc[k] !== null) metadata[k] = metaString(doc[k]);
  for (const k of ['keras_version', 'backend'] as const) if (typeof topo[k] === 'string') metadata[k] = topo[k] as string;
  if (doc.userDefinedMetadata !== undefined) metadata.userDefinedMetadata = metaString(doc.userDefinedMetadata);
  if (topo.training_config !== undefined) metadata.trainingConfig = metaString(topo.training_config);
  return { graph: { name: metadata.modelName ?? 'main', nodes, inputs, outputs, tensors }, metadata };
}
