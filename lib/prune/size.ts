/** File sizes as shipped: unstructured zeros shrink a model only once it is compressed. */
import { gzipSync, zipSync } from 'fflate';

export function sizeReport(bytes: Uint8Array): { raw: number; gzip: number; zip: number } {
  return { raw: bytes.length, gzip: gzipSync(bytes).length, zip: zipSync({ model: bytes }).length };
}
