/**
 * Layered (Sugiyama-style) top-to-bottom layout, written for this app instead of using dagre.
 *
 * Why not @dagrejs/dagre 3.1.3: measured on this machine (Node 20) on a chain-with-skips DAG,
 * 1k nodes took 3.3 s and 5k nodes died with "Maximum call stack size exceeded" (its DFS and
 * network-simplex ranking are recursive). We need 5k nodes well under 1 s and 20k without
 * overflowing the stack, in a worker. See bench/layout.ts for the numbers of this one.
 *
 * Steps, all iterative and O((V + E) log V) apart from a capped number of dummy nodes:
 * 1. break cycles by reversing DFS back edges (hostile files may have cycles);
 * 2. longest-path layering, then sources pulled down next to their first consumer;
 * 3. dummy nodes on long edges (capped) so ordering and bend points account for them;
 * 4. barycenter ordering sweeps, down and up;
 * 5. x by weighted isotonic regression (pool adjacent violators) per layer: each node as close to
 *    the mean x of its neighbours as the left-to-right order and spacing allow;
 * 6. nodes with no edges at all go into a grid below, so 1000 loose nodes don't make one huge row.
 */

export interface LayoutNode { width: number; height: number }
/** Indices into the node array. */
export interface LayoutEdge { source: number; target: number }
export interface Point { x: number; y: number }

export interface LayoutOptions {
  nodeSep?: number;
  rankSep?: number;
  /** Sweeps of barycenter ordering (each is one down and one up pass). */
  sweeps?: number;
}

export interface LayoutResult {
  /** Top-left corners; the layout's bounding box starts at (0, 0). */
  x: Float64Array;
  y: Float64Array;
  layer: Int32Array;
  width: number;
  height: number;
  /** Per input edge: bend points in source -> target order, or null for short/skipped edges. */
  points: Array<Point[] | null>;
}

const DUMMY_WIDTH = 8;

export function layoutGraph(nodes: readonly LayoutNode[], edges: readonly LayoutEdge[], options: LayoutOptions = {}): LayoutResult {
  const nodeSep = options.nodeSep ?? 24;
  const rankSep = options.rankSep ?? 44;
  const sweeps = options.sweeps ?? 3;
  const n = nodes.length;

  // Unique edges, self loops and bad indices dropped.
  const edgeOf = new Int32Array(edges.length).fill(-1);
  const uniq = new Map<number, number>();
  const eu: number[] = [];
  const ev: number[] = [];
  edges.forEach((e, i) => {
    const s = e.source, t = e.target;
    if (!(s >= 0 && s < n && t >= 0 && t < n) || s === t || !Number.isInteger(s) || !Number.isInteger(t)) return;
    const key = s * n + t;
    let u = uniq.get(key);
    if (u === undefined) {
      u = eu.length;
      uniq.set(key, u);
      eu.push(s);
      ev.push(t);
    }
    edgeOf[i] = u;
  });
  const m = eu.length;
  const out = csr(n, eu, ev);

  // 1. Cycle breaking: iterative DFS, starting from sources so back edges are real back edges.
  const reversed = new Uint8Array(m);
  {
    const state = new Uint8Array(n);
    const ptr = new Int32Array(n);
    const indeg = new Int32Array(n);
    for (let e = 0; e < m; e++) indeg[ev[e]!]!++;
    const starts: number[] = [];
    for (let v = 0; v < n; v++) if (indeg[v] === 0) starts.push(v);
    for (let v = 0; v < n; v++) if (indeg[v] !== 0) starts.push(v);
    const stack: number[] = [];
    for (const s of starts) {
      if (state[s] !== 0) continue;
      state[s] = 1;
      ptr[s] = out.start[s]!;
      stack.push(s);
      while (stack.length) {
        const v = stack[stack.length - 1]!;
        if (ptr[v]! < out.start[v + 1]!) {
          const e = out.edge[ptr[v]!++]!;
          const w = ev[e]!;
          if (state[w] === 1) reversed[e] = 1;
          else if (state[w] === 0) {
            state[w] = 1;
            ptr[w] = out.start[w]!;
            stack.push(w);
          }
        } else {
          state[v] = 2;
          stack.pop();
        }
      }
    }
  }
  const du = new Int32Array(m);
  const dv = new Int32Array(m);
  for (let e = 0; e < m; e++) {
    du[e] = reversed[e] ? ev[e]! : eu[e]!;
    dv[e] = reversed[e] ? eu[e]! : ev[e]!;
  }
  const dOut = csr(n, du, dv);
  const dIn = csr(n, dv, du);

  // 2. Longest-path layering over a Kahn order.
  const layer = new Int32Array(n);
  const topo = new Int32Array(n);
  {
    const indeg = new Int32Array(n);
    for (let e = 0; e < m; e++) indeg[dv[e]!]!++;
    let head = 0, tail = 0;
    for (let v = 0; v < n; v++) if (indeg[v] === 0) topo[tail++] = v;
    while (head < tail) {
      const v = topo[head++]!;
      for (let k = dOut.start[v]!; k < dOut.start[v + 1]!; k++) {
        const e = dOut.edge[k]!, w = dv[e]!;
        if (layer[v]! + 1 > layer[w]!) layer[w] = layer[v]! + 1;
        if (--indeg[w]! === 0) topo[tail++] = w;
      }
    }
    // Pull sources (graph inputs, Constant ops) down to just above their first consumer.
    for (let v = 0; v < n; v++) {
      if (dIn.start[v + 1]! > dIn.start[v]! || dOut.start[v + 1]! === dOut.start[v]!) continue;
      let min = Infinity;
      for (let k = dOut.start[v]!; k < dOut.start[v + 1]!; k++) min = Math.min(min, layer[dv[dOut.edge[k]!]!]!);
      layer[v] = min - 1;
    }
  }
  const isolated = new Uint8Array(n);
  for (let v = 0; v < n; v++) if (dOut.start[v + 1] === dOut.start[v] && dIn.start[v + 1] === dIn.start[v]) isolated[v] = 1;

  // 3. Dummy nodes along long edges, shortest edges first, within a budget.
  const budget = Math.max(10_000, 4 * n);
  const spanOrder = Array.from({ length: m }, (_, e) => e).sort(
    (a, b) => layer[dv[a]!]! - layer[du[a]!]! - (layer[dv[b]!]! - layer[du[b]!]!),
  );
  const itemLayer: number[] = Array.from(layer);
  const itemWidth: number[] = nodes.map((nd) => finite(nd.width, 1));
  const chainStart = new Int32Array(m).fill(-1);
  const su: number[] = [];
  const sv: number[] = [];
  let dummies = 0;
  for (const e of spanOrder) {
    const a = du[e]!, b = dv[e]!;
    const span = layer[b]! - layer[a]!;
    if (span <= 1) {
      su.push(a); sv.push(b);
      continue;
    }
    if (dummies + span - 1 > budget) continue;
    let prev = a;
    chainStart[e] = itemLayer.length;
    for (let l = layer[a]! + 1; l < layer[b]!; l++) {
      const d = itemLayer.length;
      itemLayer.push(l);
      itemWidth.push(DUMMY_WIDTH);
      su.push(prev); sv.push(d);
      prev = d;
      dummies++;
    }
    su.push(prev); sv.push(b);
  }
  const N = itemLayer.length;
  const down = csr(N, su, sv);
  const up = csr(N, sv, su);

  // 4. Ordering. Initial order: topological order (dummies right after their chain's source).
  let numLayers = 0;
  for (let i = 0; i < N; i++) if (!(i < n && isolated[i])) numLayers = Math.max(numLayers, itemLayer[i]! + 1);
  const key = new Float64Array(N);
  topo.forEach((v, i) => { key[v] = i; });
  for (let e = 0; e < m; e++) {
    if (chainStart[e]! < 0) continue;
    const span = layer[dv[e]!]! - layer[du[e]!]!;
    for (let k = 0; k < span - 1; k++) key[chainStart[e]! + k] = key[du[e]!]! + 0.5;
  }
  const layers: number[][] = Array.from({ length: numLayers }, () => []);
  for (let i = 0; i < N; i++) if (!(i < n && isolated[i])) layers[itemLayer[i]!]!.push(i);
  const pos = new Float64Array(N);
  const sortLayer = (L: number[]) => {
    L.sort((a, b) => key[a]! - key[b]! || a - b);
    L.forEach((v, i) => { pos[v] = i; });
  };
  layers.forEach(sortLayer);
  const barycenter = (L: number[], adj: Csr) => {
    for (const v of L) {
      const s = adj.start[v]!, t = adj.start[v + 1]!;
      if (s === t) { key[v] = pos[v]!; continue; }
      let sum = 0;
      for (let k = s; k < t; k++) sum += pos[adj.target[k]!]!;
      key[v] = sum / (t - s);
    }
    sortLayer(L);
  };
  for (let s = 0; s < sweeps; s++) {
    for (let l = 1; l < numLayers; l++) barycenter(layers[l]!, up);
    for (let l = numLayers - 2; l >= 0; l--) barycenter(layers[l]!, down);
  }

  // 5. x coordinates (centres).
  const cx = new Float64Array(N);
  const gapAfter = (a: number, b: number) => (a >= n || b >= n ? nodeSep / 2 : nodeSep);
  for (const L of layers) {
    let x = 0;
    L.forEach((v, i) => {
      if (i > 0) x += itemWidth[L[i - 1]!]! / 2 + gapAfter(L[i - 1]!, v) + itemWidth[v]! / 2;
      cx[v] = x;
    });
  }
  const place = (L: number[], adj: Csr) => {
    const k = L.length;
    if (k === 0) return;
    const target = new Float64Array(k);
    const weight = new Float64Array(k);
    const offset = new Float64Array(k);
    for (let i = 0; i < k; i++) {
      const v = L[i]!;
      if (i > 0) offset[i] = offset[i - 1]! + itemWidth[L[i - 1]!]! / 2 + gapAfter(L[i - 1]!, v) + itemWidth[v]! / 2;
      const s = adj.start[v]!, t = adj.start[v + 1]!;
      let desired = cx[v]!;
      if (t > s) {
        // A real node follows its real neighbours; long edges (dummies) bend around them.
        let sum = 0, ws = 0;
        for (let j = s; j < t; j++) {
          const u = adj.target[j]!;
          const wu = v < n && u >= n ? 0.02 : 1;
          sum += wu * cx[u]!;
          ws += wu;
        }
        desired = sum / ws;
      }
      weight[i] = t > s ? (v >= n ? 0.02 : 1) : 0.01;
      target[i] = desired - offset[i]!;
    }
    const y = isotonic(target, weight);
    for (let i = 0; i < k; i++) cx[L[i]!] = y[i]! + offset[i]!;
  };
  for (let s = 0; s < 2; s++) {
    for (let l = 1; l < numLayers; l++) place(layers[l]!, up);
    for (let l = numLayers - 2; l >= 0; l--) place(layers[l]!, down);
  }
  for (let l = 1; l < numLayers; l++) place(layers[l]!, up);

  // y per layer.
  const layerTop = new Float64Array(numLayers + 1);
  const layerH = new Float64Array(numLayers);
  for (let v = 0; v < n; v++) if (!isolated[v]) layerH[layer[v]!] = Math.max(layerH[layer[v]!]!, finite(nodes[v]!.height, 1));
  for (let l = 0; l < numLayers; l++) layerTop[l + 1] = layerTop[l]! + layerH[l]! + rankSep;

  let minX = Infinity, maxX = -Infinity;
  for (let i = 0; i < N; i++) {
    if (i < n && isolated[i]) continue;
    minX = Math.min(minX, cx[i]! - itemWidth[i]! / 2);
    maxX = Math.max(maxX, cx[i]! + itemWidth[i]! / 2);
  }
  if (minX === Infinity) { minX = 0; maxX = 0; }
  const x = new Float64Array(n);
  const yOut = new Float64Array(n);
  for (let v = 0; v < n; v++) {
    if (isolated[v]) continue;
    x[v] = cx[v]! - itemWidth[v]! / 2 - minX;
    yOut[v] = layerTop[layer[v]!]! + (layerH[layer[v]!]! - finite(nodes[v]!.height, 1)) / 2;
  }
  let width = maxX - minX;
  let height = numLayers > 0 ? layerTop[numLayers]! - rankSep : 0;

  // 6. Isolated nodes: a grid below the layered part.
  {
    const loose: number[] = [];
    for (let v = 0; v < n; v++) if (isolated[v]) loose.push(v);
    if (loose.length) {
      const rowWidth = Math.max(width, Math.sqrt(loose.length) * 180);
      let gx = 0, gy = height > 0 ? height + rankSep : 0, rowH = 0;
      for (const v of loose) {
        const w = finite(nodes[v]!.width, 1), h = finite(nodes[v]!.height, 1);
        if (gx > 0 && gx + w > rowWidth) { gx = 0; gy += rowH + nodeSep; rowH = 0; }
        x[v] = gx; yOut[v] = gy;
        gx += w + nodeSep;
        rowH = Math.max(rowH, h);
        width = Math.max(width, gx - nodeSep);
      }
      height = gy + rowH;
    }
  }

  // Bend points: each dummy contributes the top and bottom of its layer band.
  const points: Array<Point[] | null> = new Array<Point[] | null>(edges.length).fill(null);
  for (let i = 0; i < edges.length; i++) {
    const e = edgeOf[i]!;
    if (e < 0 || chainStart[e]! < 0) continue;
    const span = layer[dv[e]!]! - layer[du[e]!]!;
    const pts: Point[] = [];
    for (let k = 0; k < span - 1; k++) {
      const d = chainStart[e]! + k;
      const px = cx[d]! - minX, l = itemLayer[d]!;
      pts.push({ x: px, y: layerTop[l]! }, { x: px, y: layerTop[l]! + layerH[l]! });
    }
    if (reversed[e]) pts.reverse();
    points[i] = pts;
  }
  return { x, y: yOut, layer, width, height, points };
}

interface Csr { start: Int32Array; target: Int32Array; edge: Int32Array }

/** Compressed adjacency: for node v, target[start[v] .. start[v+1]) and the edge index of each. */
function csr(n: number, from: ArrayLike<number>, to: ArrayLike<number>): Csr {
  const start = new Int32Array(n + 1);
  for (let e = 0; e < from.length; e++) start[from[e]! + 1]!++;
  for (let v = 0; v < n; v++) start[v + 1]! += start[v]!;
  const fill = start.slice(0, n);
  const target = new Int32Array(from.length);
  const edge = new Int32Array(from.length);
  for (let e = 0; e < from.length; e++) {
    const k = fill[from[e]!]!++;
    target[k] = to[e]!;
    edge[k] = e;
  }
  return { start, target, edge };
}

/** Weighted isotonic regression (pool adjacent violators): non-decreasing y closest to `t`. */
function isotonic(t: Float64Array, w: Float64Array): Float64Array {
  const k = t.length;
  const val = new Float64Array(k), wt = new Float64Array(k), len = new Int32Array(k);
  let top = -1;
  for (let i = 0; i < k; i++) {
    top++;
    wt[top] = w[i]!; val[top] = t[i]!; len[top] = 1;
    while (top > 0 && val[top - 1]! > val[top]!) {
      const nw = wt[top - 1]! + wt[top]!;
      val[top - 1] = (val[top - 1]! * wt[top - 1]! + val[top]! * wt[top]!) / nw;
      wt[top - 1] = nw;
      len[top - 1]! += len[top]!;
      top--;
    }
  }
  const y = new Float64Array(k);
  let i = 0;
  for (let b = 0; b <= top; b++) for (let j = 0; j < len[b]!; j++) y[i++] = val[b]!;
  return y;
}

function finite(v: number, min: number): number {
  return Number.isFinite(v) && v >= min ? v : min;
}
