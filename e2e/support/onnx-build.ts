/**
 * A tiny protobuf writer for ONNX test models (wire format by hand, a few fields only), so the
 * e2e suite can make a large graph without Python. Field numbers are onnx.proto's.
 */
class Pb {
  private parts: number[] = [];
  private varint(v: number): void {
    while (v > 0x7f) {
      this.parts.push((v & 0x7f) | 0x80);
      v = Math.floor(v / 128);
    }
    this.parts.push(v);
  }
  int(field: number, v: number): this {
    this.varint(field << 3);
    this.varint(v);
    return this;
  }
  bytes(field: number, b: Uint8Array): this {
    this.varint((field << 3) | 2);
    this.varint(b.length);
    for (const x of b) this.parts.push(x);
    return this;
  }
  str(field: number, s: string): this {
    return this.bytes(field, new TextEncoder().encode(s));
  }
  msg(field: number, m: Pb): this {
    return this.bytes(field, m.done());
  }
  done(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}

function valueInfo(name: string, dims: number[]): Pb {
  const shape = new Pb();
  for (const d of dims) shape.msg(1, new Pb().int(1, d));
  const tensorType = new Pb().int(1, 1).msg(2, shape);
  return new Pb().str(1, name).msg(2, new Pb().msg(1, tensorType));
}

function initializer(name: string, dims: number[], seed: number): Pb {
  const n = dims.reduce((a, b) => a * b, 1);
  const f = new Float32Array(n);
  for (let i = 0; i < n; i++) f[i] = Math.sin(seed * 7.1 + i) * 0.1;
  const t = new Pb();
  for (const d of dims) t.int(1, d);
  return t.int(2, 1).str(8, name).bytes(9, new Uint8Array(f.buffer));
}

/**
 * A residual MLP of `blocks` blocks (5 ops each) in `stages` name scopes, like a real network's
 * '/stageK/blockJ/Op' naming: 1000 blocks make 5,000 nodes.
 */
export function buildScopedOnnx(blocks: number, stages = 10, width = 8): Uint8Array {
  const graph = new Pb().str(2, 'scoped_mlp');
  let x = 'input';
  const perStage = Math.ceil(blocks / stages);
  for (let b = 0; b < blocks; b++) {
    const scope = `/stage${Math.floor(b / perStage)}/block${b % perStage}`;
    const w = `${scope}/W`, bias = `${scope}/B`, s = `${scope}/S`;
    graph.msg(5, initializer(w, [width, width], b)).msg(5, initializer(bias, [width], b + 0.5)).msg(5, initializer(s, [width], b + 0.25));
    const names = ['MatMul', 'Add', 'Relu', 'Mul', 'Residual'].map((op) => `${scope}/${op}`);
    const node = (op: string, name: string, inputs: string[], out: string) => {
      const n = new Pb();
      for (const i of inputs) n.str(1, i);
      graph.msg(1, n.str(2, out).str(3, name).str(4, op));
    };
    node('MatMul', names[0]!, [x, w], `${names[0]}_out`);
    node('Add', names[1]!, [`${names[0]}_out`, bias], `${names[1]}_out`);
    node('Relu', names[2]!, [`${names[1]}_out`], `${names[2]}_out`);
    node('Mul', names[3]!, [`${names[2]}_out`, s], `${names[3]}_out`);
    node('Add', names[4]!, [`${names[3]}_out`, x], `${names[4]}_out`);
    x = `${names[4]}_out`;
  }
  graph.msg(11, valueInfo('input', [1, width])).msg(12, valueInfo(x, [1, width]));
  return new Pb()
    .int(1, 8)
    .str(2, 'edge-model-studio-e2e')
    .msg(7, graph)
    .msg(8, new Pb().str(1, '').int(2, 13))
    .done();
}
