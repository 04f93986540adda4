/**
 * The TF.js format plugin: a model.json (any file name; recognised by content) plus the binary
 * weight shards its weightsManifest lists. Graph models read as dialect 'tf', layers models
 * as dialect 'keras'. See graph-model.ts, layers-model.ts and weights.ts.
 */
import type { Model } from '../../ir/types';
import { throwIfAborted } from '../errors';
import type { FormatPlugin, InputFile, ReadOptions } from '../types';
import { readGraphModel } from './graph-model';
import { Ctx, decodeText, isObject, LABEL, obj, parseJson, type JsonObject } from './json';
import { readLayersModel } from './layers-model';
import { decodeWeights, manifestPathsLoose, matchShards, parseManifest, type DecodedWeight } from './weights';

const KEY_PATTERN = /"(modelTopology|weightsManifest)"\s*:|"format"\s*:\s*"(graph|layers)-model"/;

/** The first bytes (maybe only 64 KB of a file) look like a TF.js model.json. Never throws. */
export function sniffTfjs(bytes: Uint8Array): boolean {
  try {
    let i = 0;
    if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) i = 3;
    while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x09 || bytes[i] === 0x0a || bytes[i] === 0x0d)) i++;
    if (bytes[i] !== 0x7b /* { */) return false;
    // latin1 is enough to find ASCII keys and never fails on a multi-byte sequence cut at 64 KB.
    const head = new TextDecoder('latin1').decode(bytes.subarray(i, Math.min(bytes.length, i + 64 * 1024)));
    return KEY_PATTERN.test(head);
  } catch {
    return false;
  }
}

export type TfjsKind = 'graph' | 'layers';

/** Which of the two TF.js model kinds a parsed model.json is; throws with a precise cause. */
export function tfjsKind(doc: JsonObject, ctx: Ctx): TfjsKind {
  if (doc.modelTopology === undefined || doc.modelTopology === null) {
    ctx.fail(Array.isArray(doc.weightsManifest)
      ? 'modelTopology is missing: this is a weights manifest without a model (TF.js needs model.json with modelTopology)'
      : 'modelTopology is missing');
  }
  const topo = obj(doc.modelTopology, 'modelTopology', ctx);
  if (Array.isArray(topo.node)) return 'graph';
  if (topo.model_config !== undefined || typeof topo.class_name === 'string') return 'layers';
  if (doc.format === 'graph-model') ctx.fail('modelTopology.node is missing (format says graph-model)');
  if (doc.format === 'layers-model') ctx.fail('modelTopology.model_config is missing (format says layers-model)');
  ctx.fail('modelTopology has neither "node" (a graph model) nor "model_config" (a layers model)');
}

async function read(files: InputFile[], options?: ReadOptions): Promise<Model> {
  const primary = files[0];
  if (!primary) throw new Error('tfjs read: no file given');
  const ctx: Ctx = new Ctx(primary.name, options?.signal);
  const progress = (f: number, phase: string) => options?.onProgress?.(f, phase);

  throwIfAborted(ctx.signal);
  progress(0, 'parsing model.json');
  let text: string;
  try {
    text = decodeText(primary.bytes);
  } catch {
    // V8 strings stop near 512 MB; no real model.json comes close (weights live in the shards).
    ctx.fail(`model.json is too large to parse as text (${primary.bytes.length} bytes)`);
  }
  const parsed = parseJson(text, ctx);
  if (!isObject(parsed)) ctx.fail(`the file holds JSON ${Array.isArray(parsed) ? 'array' : typeof parsed}, expected an object with modelTopology`);
  const doc = parsed;
  const kind = tfjsKind(doc, ctx);

  progress(0.2, 'reading weights');
  const groups = parseManifest(doc.weightsManifest, ctx);
  const shards = matchShards(groups, files.slice(1), ctx);
  throwIfAborted(ctx.signal);
  const weights: Map<string, DecodedWeight> = decodeWeights(groups, shards, ctx);
  if (groups.length === 0) ctx.warn('no weightsManifest: the model has no weight values');

  progress(0.7, 'building graph');
  throwIfAborted(ctx.signal);
  const used = new Set<InputFile>(shards.flat());
  const modelFiles = [primary, ...files.slice(1).filter((f) => used.has(f))].map((f) => ({ name: f.name, bytes: f.bytes.length }));

  let model: Model;
  if (kind === 'graph') {
    const { graphs, metadata } = readGraphModel(doc, weights, ctx);
    model = { format: 'tfjs-graph', dialect: 'tf', name: primary.name, files: modelFiles, graphs, metadata, opsets: {} };
  } else {
    const { graph, metadata } = readLayersModel(doc, weights, ctx);
    model = { format: 'tfjs-layers', dialect: 'keras', name: primary.name, files: modelFiles, graphs: [graph], metadata, opsets: {} };
  }
  if (ctx.warnings.length > 0) model.metadata.warnings = ctx.warnings.join('\n');
  progress(1, 'done');
  return model;
}

export const tfjsFormat: FormatPlugin = {
  id: 'tfjs',
  label: LABEL,
  extensions: ['.json'],
  sniff: sniffTfjs,
  companions(primary: InputFile): string[] {
    try {
      return manifestPathsLoose(JSON.parse(decodeText(primary.bytes)));
    } catch {
      return [];
    }
  },
  read,
};
