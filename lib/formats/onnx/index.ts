/**
 * The ONNX format plugin: a ModelProto (protobuf) read into the IR with dialect `onnx`.
 * model.ts maps the messages, proto.ts is the bounds-checked wire reader, sniff.ts recognises files.
 */
import { ModelFormatError } from '../errors';
import type { FormatPlugin } from '../types';
import { LABEL, readOnnx } from './model';
import { sniffOnnx } from './sniff';
import { writeOnnx } from './write';

export { readOnnx, readTensorProto } from './model';
export { sniffOnnx } from './sniff';

export const onnxFormat: FormatPlugin = {
  id: 'onnx',
  label: LABEL,
  extensions: ['.onnx'],
  sniff: sniffOnnx,
  write: writeOnnx,
  async read(files, options) {
    const file = files[0];
    if (!file) throw new ModelFormatError('(no file)', LABEL, 'no file given');
    return readOnnx(file.bytes, file.name, options);
  },
};
