/** ModelProto -> IR Model: the entry point of the ONNX reader. */
import type { Graph, Model, Tensor } from '../../ir/types';
import { AbortedError, ModelFormatError, throwIfAborted } from '../errors';
import type { ReadOptions } from '../types';
import { decodeGraph, typeOuterScope, type DecodeContext } from './graph';
import { ProtoError, Reader, setKey, withPath } from './proto';
import { decodeEntry, decodeTensor, fieldLabel } from './tensor';

// Wire types as local constants: transpilers that emit CommonJS (tsx, vitest) turn each use of an
// imported binding into a getter call, which shows in the hot loops.
const WIRE_VARINT = 0;
const WIRE_LEN = 2;

export const LABEL = 'ONNX';

const MODEL_FIELDS: Record<number, string> = {
  1: 'ir_version', 2: 'producer_name', 3: 'producer_version', 4: 'domain', 5: 'model_version', 6: 'doc_string',
  7: 'graph', 8: 'opset_import', 14: 'metadata_props', 20: 'training_info', 25: 'functions',
};

/** Progress calls per read, at most (the contract asks for a few dozen). */
const PROGRESS_STEPS = 50;

/**
 * Node Buffers are Uint8Arrays whose `slice` is a view, not a copy: weight views cut from one
 * would surprise code that copies with `.slice()`. Plain Uint8Array views of the same memory.
 */
function plain(bytes: Uint8Array): Uint8Array {
  return bytes.constructor === Uint8Array ? bytes : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export function readOnnx(input: Uint8Array, fileName: string, options: ReadOptions = {}): Model {
  const bytes = plain(input);
  if (bytes.length === 0) throw new ModelFormatError(fileName, LABEL, 'the file is empty');
  throwIfAborted(options.signal);
  try {
    return decodeModel(bytes, fileName, options);
  } catch (e) {
    if (e instanceof ModelFormatError || e instanceof AbortedError) throw e;
    if (e instanceof ProtoError) throw new ModelFormatError(fileName, LABEL, e.describe());
    throw new ModelFormatError(fileName, LABEL, `unexpected decoder failure: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** A standalone TensorProto file (the input_0.pb / output_0.pb files of ONNX test cases). */
export function readTensorProto(input: Uint8Array, fileName: string): Tensor {
  const bytes = plain(input);
  try {
    const r = new Reader(bytes);
    const t = decodeTensor(r, bytes.length);
    t.isConstant = true;
    return t;
  } catch (e) {
    if (e instanceof ProtoError) throw new ModelFormatError(fileName, 'ONNX TensorProto', e.describe().replace('ModelProto', 'TensorProto'));
    throw e;
  }
}

function decodeModel(bytes: Uint8Array, fileName: string, options: ReadOptions): Model {
  const r: Reader = new Reader(bytes);
  const end = bytes.length;
  const step = Math.max(1, Math.ceil(end / PROGRESS_STEPS));
  const { onProgress, signal } = options;
  const ctx: DecodeContext = {
    notes: new Set(),
    nextTick: step,
    tick(pos) {
      ctx.nextTick = (Math.floor(pos / step) + 1) * step;
      throwIfAborted(signal);
      onProgress?.(Math.min(pos / end, 0.99), 'parsing ONNX graph');
    },
  };
  const metadata: Record<string, string> = {};
  const props: Array<[string, string]> = [];
  const opsets: Record<string, number> = {};
  const functions: string[] = [];
  let graph: Graph | null = null;
  let field = 0;
  let counts = 0;
  try {
    while (r.pos < end) {
      const tag = r.tag();
      field = tag >>> 3;
      const wire = tag & 7;
      counts = -1;
      switch (field) {
        case 1: case 5: {
          r.expect(wire, WIRE_VARINT);
          metadata[field === 1 ? 'irVersion' : 'modelVersion'] = String(r.int64());
          break;
        }
        case 2: case 3: case 4: case 6: {
          r.expect(wire, WIRE_LEN);
          const s = r.string(end);
          const key = field === 2 ? 'producer' : field === 3 ? 'producerVersion' : field === 4 ? 'domain' : 'doc';
          if (s) metadata[key] = s;
          break;
        }
        case 7: {
          const e = r.message(wire, end);
          graph = decodeGraph(r, e, 0, ctx);
          break;
        }
        case 8: {
          counts = Object.keys(opsets).length;
          const e = r.message(wire, end);
          const [domain, version] = decodeOpset(r, e);
          setKey(opsets, domain === 'ai.onnx' ? '' : domain, version);
          break;
        }
        case 14: {
          counts = props.length;
          const e = r.message(wire, end);
          props.push(decodeEntry(r, e));
          break;
        }
        case 20:
          r.expect(wire, WIRE_LEN);
          r.skip(wire, end);
          ctx.notes.add('training_info is present and was not read');
          break;
        case 25: {
          counts = functions.length;
          const e = r.message(wire, end);
          functions.push(decodeFunctionName(r, e));
          break;
        }
        default:
          r.skip(wire, end);
      }
    }
    r.checkEnd(end);
  } catch (e) {
    throw withPath(e, field ? fieldLabel(MODEL_FIELDS, field, counts) : '');
  }
  if (!graph) r.fail('no graph: ModelProto field 7 (graph) is missing, so this is not an ONNX model or it is damaged');

  throwIfAborted(signal);
  typeOuterScope(graph, []);
  for (const [k, v] of props) setKey(metadata, Object.hasOwn(metadata, k) ? `metadata_props.${k}` : k, v);
  if (functions.length) {
    metadata.functions = functions.join(', ');
    ctx.notes.add(`${functions.length} model-local function(s) are listed in metadata.functions; their bodies were not read`);
  }
  if (ctx.notes.size) metadata.notes = [...ctx.notes].join('; ');
  onProgress?.(1, 'done');
  return {
    format: 'onnx',
    dialect: 'onnx',
    name: fileName,
    files: [{ name: fileName, bytes: bytes.length }],
    graphs: [graph],
    metadata,
    opsets,
  };
}

/** OperatorSetIdProto: domain = 1, version = 2. */
function decodeOpset(r: Reader, end: number): [string, number] {
  let domain = '';
  let version = 0;
  while (r.pos < end) {
    const tag = r.tag();
    const wire = tag & 7;
    const f = tag >>> 3;
    if (f === 1) {
      r.expect(wire, WIRE_LEN);
      domain = r.string(end);
    } else if (f === 2) {
      r.expect(wire, WIRE_VARINT);
      version = r.int64();
    } else r.skip(wire, end);
  }
  r.checkEnd(end);
  return [domain, version];
}

/** FunctionProto: only name = 1 and domain = 10 are read; the body is skipped. */
function decodeFunctionName(r: Reader, end: number): string {
  let name = '';
  let domain = '';
  while (r.pos < end) {
    const tag = r.tag();
    const wire = tag & 7;
    const f = tag >>> 3;
    if (f === 1 || f === 10) {
      r.expect(wire, WIRE_LEN);
      const s = r.string(end);
      if (f === 1) name = s;
      else domain = s;
    } else r.skip(wire, end);
  }
  r.checkEnd(end);
  return domain ? `${domain}.${name}` : name;
}
