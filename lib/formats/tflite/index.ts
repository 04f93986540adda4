/**
 * The TFLite format plugin: `.tflite` flatbuffers (schema version 3, identifier "TFL3") read into
 * the IR with dialect `tfl`. See read.ts for the mapping and flatbuf.ts for the safety checks.
 */
import { AbortedError, ModelFormatError } from '../errors';
import type { FormatPlugin } from '../types';
import { CorruptFileError } from './flatbuf';
import { readTfliteModel } from './read';
import { writeTflite } from './write';

const LABEL = 'TFLite';

export function sniffTflite(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && bytes[4] === 0x54 && bytes[5] === 0x46 && bytes[6] === 0x4c && bytes[7] === 0x33;
}

export const tfliteFormat: FormatPlugin = {
  id: 'tflite',
  label: LABEL,
  extensions: ['.tflite', '.lite'],
  sniff: sniffTflite,
  async read(files, options) {
    const file = files[0];
    if (!file) throw new ModelFormatError('(no file)', LABEL, 'no file given');
    try {
      return await readTfliteModel(file.bytes, file.name, options);
    } catch (e) {
      if (e instanceof AbortedError || e instanceof ModelFormatError) throw e;
      if (e instanceof CorruptFileError) throw new ModelFormatError(file.name, LABEL, e.message);
      // Anything else (a RangeError from a DataView, a bug) still names the file and format.
      const msg = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
      throw new ModelFormatError(file.name, LABEL, `corrupt or unsupported file (${msg})`);
    }
  },
  write: writeTflite,
};
