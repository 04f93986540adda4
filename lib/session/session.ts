import type { Graph, Model } from '../ir/types';
import { graphsWithOrigin, summarize, type ModelSummary } from '../ir/summary';
import { nodeDetails, tensorDetails, type NodeDetails, type TensorDetails } from '../ir/details';
import { buildScopeTree, initialExpanded, type ScopeTree } from '../graph-view/scopes';
import { computeView, foldedNodes, type ViewOptions } from '../graph-view/visible';
import { searchGraph } from '../graph-view/search';
import type { GraphView, SearchHit } from '../graph-view/types';
import { annotations, type Annotation } from '../graph-view/annotate';

export interface GraphInfo {
  index: number;
  name: string;
  nodes: number;
  /** Where it comes from: 'main', 'subgraph', or 'node X, attribute Y' for ONNX bodies. */
  origin: string;
}

export interface ViewResult {
  graphIndex: number;
  expanded: string[];
  view: GraphView;
}

/**
 * One open model and everything derived from it. Lives where the model lives (a worker in the
 * app, the process in the CLI); the page only ever receives the summaries it returns.
 */
export class ModelSession {
  readonly summary: ModelSummary;
  readonly graphs: Graph[];
  private readonly origins: string[];
  private readonly trees = new Map<string, ScopeTree>();
  private readonly notes = new Map<number, Map<string, Annotation>>();

  constructor(readonly model: Model) {
    const found = graphsWithOrigin(model);
    this.graphs = found.map((e) => e.graph);
    this.origins = found.map((e) => e.origin);
    this.summary = summarize(model, this.graphs);
  }

  graphList(): GraphInfo[] {
    return this.graphs.map((g, index) => ({ index, name: g.name || `graph ${index}`, nodes: g.nodes.length, origin: this.origins[index] ?? '' }));
  }

  private graph(index: number): Graph {
    const g = this.graphs[index];
    if (!g) throw new Error(`no graph #${index} in ${this.model.name}`);
    return g;
  }

  private tree(index: number, options: ViewOptions = {}): ScopeTree {
    const key = `${index}:${options.showConstants ? 1 : 0}`;
    let t = this.trees.get(key);
    if (!t) {
      const g = this.graph(index);
      t = buildScopeTree(g, { skip: foldedNodes(g, options) });
      this.trees.set(key, t);
    }
    return t;
  }

  /** The laid-out view; without `expanded`, the default expansion for the graph's size. */
  view(graphIndex: number, expanded?: string[], options: ViewOptions = {}): ViewResult {
    const tree = this.tree(graphIndex, options);
    const set = expanded ? new Set(expanded) : initialExpanded(tree);
    const view = computeView(this.graph(graphIndex), tree, set, undefined, options);
    let notes = this.notes.get(graphIndex);
    if (!notes) { notes = annotations(this.model, this.graph(graphIndex)); this.notes.set(graphIndex, notes); }
    if (notes.size > 0) view.nodes = view.nodes.map((v) => (v.kind === 'op' && v.name && notes.has(v.name) ? { ...v, ...notes.get(v.name) } : v));
    return { graphIndex, expanded: [...set], view };
  }

  node(graphIndex: number, name: string): NodeDetails | null {
    const g = this.graph(graphIndex);
    const n = g.nodes.find((x) => x.name === name);
    return n ? nodeDetails(g, n) : null;
  }

  tensor(graphIndex: number, name: string): TensorDetails | null {
    const g = this.graph(graphIndex);
    return g.tensors.has(name) ? tensorDetails(g, name, true) : null;
  }

  search(graphIndex: number, query: string): SearchHit[] {
    return searchGraph(this.graph(graphIndex), this.tree(graphIndex), query);
  }
}
