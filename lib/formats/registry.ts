import type { Model } from '../ir/types';
import { ModelFormatError } from './errors';
import { onnxFormat } from './onnx/index';
import { tfliteFormat } from './tflite/index';
import { tfjsFormat } from './tfjs/index';
import type { FormatPlugin, InputFile, ReadOptions } from './types';

/** Every reader the studio knows, most specific sniff first (TFLite has a real magic). */
export const formats: readonly FormatPlugin[] = [tfliteFormat, tfjsFormat, onnxFormat];

/** Sniffing looks at the head only: a cheap check even for a 1 GB file. */
const SNIFF_BYTES = 64 * 1024;

export function sniffFormat(bytes: Uint8Array): FormatPlugin | null {
  const head = bytes.subarray(0, SNIFF_BYTES);
  for (const f of formats) {
    try {
      if (f.sniff(head)) return f;
    } catch {
      // sniff must not throw; a plugin that does simply does not claim the file
    }
  }
  return null;
}

function describeHead(bytes: Uint8Array): string {
  if (bytes.length === 0) return 'the file is empty';
  const head = Array.from(bytes.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join(' ');
  const known: Array<[number[], string]> = [
    [[0x50, 0x4b, 0x03, 0x04], 'a ZIP archive (a Keras .keras or SavedModel zip? export to TF.js, ONNX or TFLite first)'],
    [[0x89, 0x50, 0x4e, 0x47], 'a PNG image'],
    [[0xff, 0xd8, 0xff], 'a JPEG image'],
    [[0x89, 0x48, 0x44, 0x46], 'an HDF5 file (Keras .h5: convert it with tensorflowjs_converter first)'],
    [[0x1f, 0x8b], 'a gzip archive'],
  ];
  for (const [magic, what] of known) if (magic.every((b, i) => bytes[i] === b)) return `it looks like ${what}`;
  return `its first bytes are ${head}`;
}

/**
 * Picks the primary file (the one whose content a reader recognises) and reads it with the
 * others as companions. Throws ModelFormatError when nothing is recognised.
 */
export function pickPrimary(files: InputFile[]): { format: FormatPlugin; primary: InputFile; rest: InputFile[] } {
  if (files.length === 0) throw new ModelFormatError('(no file)', 'ONNX, TFLite or TF.js', 'no file was given');
  for (const file of files) {
    const format = sniffFormat(file.bytes);
    if (format) return { format, primary: file, rest: files.filter((f) => f !== file) };
  }
  const first = files[0]!;
  const names = files.length > 1 ? `${files.length} files (${files.map((f) => f.name).join(', ')})` : first.name;
  throw new ModelFormatError(
    names,
    'ONNX, TFLite or TF.js',
    `not recognised as any supported model format: ${describeHead(first.bytes)}`,
  );
}

export async function readModel(files: InputFile[], options?: ReadOptions): Promise<Model> {
  const { format, primary, rest } = pickPrimary(files);
  try {
    return await format.read([primary, ...rest], options);
  } catch (e) {
    if (e instanceof ModelFormatError || (e instanceof Error && e.name === 'AbortedError')) throw e;
    // A reader bug or a runtime error on hostile bytes still gets a message that names the file.
    const cause = e instanceof RangeError ? `corrupt or truncated data (${e.message})` : String((e as Error)?.message ?? e);
    throw new ModelFormatError(primary.name, format.label, cause);
  }
}
