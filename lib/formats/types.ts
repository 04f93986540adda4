import type { Model } from '../ir/types';

/** One file handed to a reader: its name (for messages and shard lookup) and its bytes. */
export interface InputFile {
  name: string;
  bytes: Uint8Array;
}

export interface ReadOptions {
  /** Fraction done in [0, 1] with a short phase label; called a few dozen times at most. */
  onProgress?: (fraction: number, phase: string) => void;
  signal?: AbortSignal;
}

/**
 * A format plugin. `sniff` is cheap (looks at the first bytes), never throws and ignores file
 * names. `read` throws ModelFormatError naming the file, the format and the cause.
 */
export interface FormatPlugin {
  id: 'onnx' | 'tflite' | 'tfjs';
  /** Human name used in messages: "ONNX", "TFLite", "TF.js". */
  label: string;
  /** Usual extensions, only a hint for the file picker; recognition is by content. */
  extensions: string[];
  /** True when `bytes` (the start of a file, possibly the whole file) looks like this format. */
  sniff(bytes: Uint8Array): boolean;
  /**
   * Names of the other files a primary file needs (TF.js weight shards, relative paths as the
   * manifest writes them). Used by the URL opener and to report missing files. Never throws.
   */
  companions?(primary: InputFile): string[];
  /** `files[0]` is the primary (the one that sniffed); the rest are companions in any order. */
  read(files: InputFile[], options?: ReadOptions): Promise<Model>;
  /**
   * The model as this format's bytes, for models in the format's own dialect (`tfl` for TFLite,
   * `onnx` for ONNX). Throws an Error naming the node or tensor it cannot write.
   */
  write?(model: Model): Uint8Array;
}
