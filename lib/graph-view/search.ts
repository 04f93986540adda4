import type { Graph } from '../ir/types';
import { groupPath, type ScopeTree } from './scopes';
import type { SearchHit } from './types';

/**
 * Case-insensitive substring search over node names, op types (with or without dialect) and
 * tensor names. Node matches come before tensor matches; each hit says which groups to expand.
 */
export function searchGraph(graph: Graph, tree: ScopeTree, query: string, limit = 50): SearchHit[] {
  const q = query.trim().toLowerCase();
  if (!q || limit <= 0) return [];
  const nodeHits: SearchHit[] = [];
  const tensorHits: SearchHit[] = [];
  // Visit in topological order so hits read top to bottom like the graph.
  const order = Array.from({ length: graph.nodes.length }, (_, i) => i).sort((a, b) => tree.rank[a]! - tree.rank[b]!);
  for (const i of order) {
    if (nodeHits.length >= limit) break;
    const nd = graph.nodes[i]!;
    if (nd.name.toLowerCase().includes(q) || nd.op.toLowerCase().includes(q)) {
      nodeHits.push({ nodeName: nd.name, op: nd.op, match: 'node', groupPath: groupPath(tree, i) });
      continue;
    }
    if (tensorHits.length >= limit) continue;
    const tensor = nd.outputs.find((t) => t && t.toLowerCase().includes(q)) ?? nd.inputs.find((t) => t && t.toLowerCase().includes(q));
    if (tensor) tensorHits.push({ nodeName: nd.name, op: nd.op, match: 'tensor', tensor, groupPath: groupPath(tree, i) });
  }
  return nodeHits.concat(tensorHits).slice(0, limit);
}
