/**
 * Model.metadata (strings, as the reader exposed them) -> TFLite metadata entries and signature
 * defs. The reader writes:
 * - `description` for Model.description;
 * - one key per metadata entry (`metadata.<name>` when the name was taken), its value the text,
 *   or `<N bytes of binary data>` for binary entries (whose bytes the IR does not keep: they
 *   are not written back);
 * - `signature.<key>` = `subgraph N; inputs: alias=tensor, tensor; outputs: ...`.
 */
import type { Graph, Model } from '../../../ir/types';

export interface SignatureSpec {
  key: string;
  subgraph: number;
  inputs: Array<[alias: string, tensor: string]>;
  outputs: Array<[alias: string, tensor: string]>;
}

export interface MetadataSpec {
  description: string | null;
  /** name -> UTF-8 text, in the order the model lists them. */
  entries: Array<[string, string]>;
  signatures: SignatureSpec[];
}

const BINARY = /^<\d+ bytes of binary data>$/;
const SIGNATURE = /^subgraph (\d+); inputs: (.*); outputs: (.*)$/s;

/**
 * Splits "a=x:0, y, b=z" into [alias, tensor] pairs. Tensor names may contain ", " or "=", so
 * pieces are joined until they name a tensor of the graph.
 */
function parseMaps(text: string, graph: Graph, where: string): Array<[string, string]> {
  if (text === '') return [];
  const pieces = text.split(', ');
  const out: Array<[string, string]> = [];
  let i = 0;
  while (i < pieces.length) {
    let found: [string, string] | null = null;
    let end = i;
    for (let j = i; j < pieces.length && !found; j++) {
      const item = pieces.slice(i, j + 1).join(', ');
      if (graph.tensors.has(item)) found = [item, item];
      for (let k = item.indexOf('='); !found && k >= 0; k = item.indexOf('=', k + 1)) {
        if (graph.tensors.has(item.slice(k + 1))) found = [item.slice(0, k), item.slice(k + 1)];
      }
      end = j;
    }
    if (!found) throw new Error(`TFLite writer: ${where} names "${pieces.slice(i).join(', ')}", which is not a tensor of graph ${graph.name}`);
    out.push(found);
    i = end + 1;
  }
  return out;
}

/** The entries to write; signature defs fall back to 'serving_default' over graph 0's inputs/outputs. */
export function metadataSpec(model: Model): MetadataSpec {
  const spec: MetadataSpec = { description: null, entries: [], signatures: [] };
  for (const [key, value] of Object.entries(model.metadata)) {
    if (key === 'description') {
      spec.description = value;
    } else if (key.startsWith('signature.')) {
      const m = SIGNATURE.exec(value);
      const graph = m ? model.graphs[Number(m[1])] : undefined;
      if (!m || !graph) throw new Error(`TFLite writer: metadata ${key} is not a signature of this model ("${value.slice(0, 80)}")`);
      spec.signatures.push({
        key: key.slice('signature.'.length),
        subgraph: Number(m[1]),
        inputs: parseMaps(m[2]!, graph, key),
        outputs: parseMaps(m[3]!, graph, key),
      });
    } else if (!BINARY.test(value)) {
      const name = key.startsWith('metadata.') && key.slice(9) in model.metadata ? key.slice(9) : key;
      spec.entries.push([name, value]);
    }
  }
  const main = model.graphs[0];
  if (spec.signatures.length === 0 && main) {
    spec.signatures.push({
      key: 'serving_default',
      subgraph: 0,
      inputs: main.inputs.map((n) => [n, n]),
      outputs: main.outputs.map((n) => [n, n]),
    });
  }
  return spec;
}
