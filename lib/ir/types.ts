/**
 * The studio's one intermediate representation (IR).
 *
 * Every reader produces it, every transform maps it to itself, every writer and runtime adapter
 * consumes it. It is plain data (no classes, no functions), so it crosses `postMessage` by
 * structured clone and runs unchanged in Node, Web Workers and the page.
 *
 * Model -> Graph[] -> Node[] + Map<name, Tensor>.
 *
 * Ops keep the vocabulary of their source format, namespaced like MLIR dialects
 * (`onnx.Conv`, `tfl.CONV_2D`, `tf.Conv2D`, `keras.Conv2D`), so the graph shows what the user
 * uploaded. Lowering between dialects is a transform's job, never a reader's.
 */

/** Element types. Names follow numpy / TF.js spelling. */
export type DType =
  | 'float32' | 'float16' | 'bfloat16' | 'float64'
  | 'int2' | 'uint2' | 'int4' | 'uint4' | 'int8' | 'uint8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'int64' | 'uint64'
  | 'bool' | 'string' | 'complex64' | 'complex128'
  | 'float8e4m3fn' | 'float8e4m3fnuz' | 'float8e5m2' | 'float8e5m2fnuz'
  | 'resource' | 'variant' | 'unknown';

/**
 * One dimension of a shape.
 * - number >= 0: known size.
 * - string: a symbolic size (ONNX `dim_param`, e.g. "batch"); unknown but named.
 * - null: unknown (ONNX dim without value, TFLite `shape_signature` -1, TF.js -1).
 */
export type Dim = number | string | null;

/**
 * Affine quantization, as TFLite defines it: real = scale * (q - zeroPoint).
 * Per-tensor when `scale.length === 1`; per-axis (per-channel) otherwise, along `axis`.
 */
export interface Quantization {
  scale: number[];
  zeroPoint: number[];
  /** Quantized dimension for per-axis quantization. */
  axis?: number;
  /** Optional float range the quantizer recorded (TFLite `min`/`max`). */
  min?: number[];
  max?: number[];
}

/** TFLite sparsity parameters, kept verbatim so nothing is lost on a round trip. */
export interface Sparsity {
  traversalOrder: number[];
  blockMap: number[];
  /** One entry per traversal dimension: dense (size) or sparse CSR (segments, indices). */
  dimMetadata: Array<
    | { format: 'dense'; denseSize: number }
    | { format: 'sparse'; segments: number[]; indices: number[] }
  >;
}

/** How a constant was stored in the file when the reader had to decode it (e.g. TF.js uint8). */
export interface StorageNote {
  /** dtype in the file, e.g. 'uint8' for a TF.js weight quantized to 8 bits. */
  dtype: DType;
  /** Free text for the inspector, e.g. "uint8 affine, scale 0.0123, min -1.2". */
  detail: string;
}

export interface Tensor {
  /** Unique within its graph. Edges of the graph are tensor names. */
  name: string;
  dtype: DType;
  /** `null` when even the rank is unknown. */
  shape: Dim[] | null;
  /**
   * Constant content, little-endian, laid out densely in row-major order as `dtype` says
   * (int4/uint4 packed two per byte, int2/uint2 four per byte). Strings use TFLite's layout:
   * int32 count N, N + 1 int32 byte offsets from the start of the data, then the UTF-8 bytes.
   * A view into the file's bytes wherever the file stores it that way (no copy); decoded
   * bytes otherwise. Use `tensorValues()` (lib/ir/values.ts) for a typed array.
   */
  data?: Uint8Array;
  /** True for a weight / initializer / constant buffer even if its bytes are absent. */
  isConstant?: boolean;
  quant?: Quantization;
  sparsity?: Sparsity;
  /** Set when the file stored the constant differently from `dtype` (it was decoded). */
  storage?: StorageNote;
  /** Free-form text from the file (ONNX doc_string). */
  doc?: string;
}

/** Attribute values, tagged so that writers and the inspector never have to guess. */
export type AttrValue =
  | { kind: 'int'; value: number }
  | { kind: 'float'; value: number }
  | { kind: 'string'; value: string }
  | { kind: 'bool'; value: boolean }
  | { kind: 'ints'; value: number[] }
  | { kind: 'floats'; value: number[] }
  | { kind: 'strings'; value: string[] }
  | { kind: 'dtype'; value: DType }
  | { kind: 'shape'; value: Dim[] }
  | { kind: 'tensor'; value: Tensor }
  | { kind: 'tensors'; value: Tensor[] }
  /** A nested graph owned by the node (ONNX If/Loop/Scan bodies). */
  | { kind: 'graph'; value: Graph }
  | { kind: 'graphs'; value: Graph[] }
  /** A reference to `Model.graphs[value]` (TFLite WHILE/IF/CALL_ONCE subgraph indices). */
  | { kind: 'subgraph'; value: number }
  /** Anything structured that has no better home (Keras layer config values, TF func attrs). */
  | { kind: 'json'; value: unknown }
  /** Opaque bytes (TFLite custom op options, unparsed attributes). */
  | { kind: 'bytes'; value: Uint8Array };

export interface Node {
  /** Unique within its graph; readers invent `op_index` names where the file has none. */
  name: string;
  /** Dialect-qualified op type: `onnx.Conv`, `tfl.CONV_2D`, `tf.Conv2D`, `keras.Conv2D`. */
  op: string;
  /** Input tensor names in order; '' marks an omitted optional input. */
  inputs: string[];
  outputs: string[];
  attrs: Record<string, AttrValue>;
  /** ONNX domain ('' = ai.onnx) or a custom-op flag's source; absent for builtins. */
  domain?: string;
  /** True for a custom op (TFLite CUSTOM, ONNX non-standard domain): runtimes may lack it. */
  custom?: boolean;
  /**
   * Op version where the format records one (TFLite operator code version). A transform that
   * changes a node's dtypes, inputs or options must delete it: the TFLite writer then computes
   * the minimum version from the node's features (lib/formats/tflite/write/op-version.ts).
   */
  version?: number;
  /** TF device string, ONNX doc_string etc. */
  doc?: string;
}

export interface Graph {
  name: string;
  nodes: Node[];
  /** Graph input tensor names (constants/initializers are not inputs even if the file lists them). */
  inputs: string[];
  outputs: string[];
  /** Every tensor the graph mentions, inputs, outputs, intermediates and constants. */
  tensors: Map<string, Tensor>;
}

export type ModelFormat = 'onnx' | 'tflite' | 'tfjs-graph' | 'tfjs-layers';
export type Dialect = 'onnx' | 'tfl' | 'tf' | 'keras';

export interface Model {
  format: ModelFormat;
  dialect: Dialect;
  /** Name of the primary file (e.g. `model.onnx`, `model.json`). */
  name: string;
  /** All files that made the model (primary first, then weight shards), with their sizes. */
  files: Array<{ name: string; bytes: number }>;
  /**
   * graphs[0] is the main graph. TFLite subgraphs 1..n follow in file order.
   * ONNX nested graphs live in their node's attributes, not here.
   */
  graphs: Graph[];
  /** Producer, version, description... all strings, shown as-is in the summary. */
  metadata: Record<string, string>;
  /** ONNX opset imports (domain -> version, '' = ai.onnx); TFLite schema version under 'tflite'. */
  opsets: Record<string, number>;
}
