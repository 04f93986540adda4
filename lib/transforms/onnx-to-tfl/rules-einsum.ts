/**
 * ONNX Einsum of one or two operands as SUM / TRANSPOSE / RESHAPE / BATCH_MATMUL: every index
 * is a batch, free or contracted axis, so any such equation is one batched matrix product
 * between two transposes. Repeated indices within an operand (diagonals) are refused.
 */
import { type LowerCtx, type Rule, Unsupported } from './context';
import { bool } from './builder';

interface Term { letters: string[]; name: string; shape: number[] }

/** Splits 'ab,bc->ac' into input terms and the output, expanding '...' by each operand's rank. */
export function parseEquation(eq: string, ranks: number[]): { inputs: string[][]; output: string[] } {
  const clean = eq.replace(/\s+/g, '');
  const [lhs, rhs] = clean.split('->') as [string, string | undefined];
  const terms = lhs.split(',');
  if (terms.length !== ranks.length) throw new Unsupported(`Einsum equation has ${terms.length} operand(s), the node ${ranks.length}`);
  // Ellipsis dims get private (Greek) letters, right-aligned as in broadcasting.
  const ell = Math.max(0, ...terms.map((t, i) => (t.includes('...') ? ranks[i]! - t.replace('...', '').length : 0)));
  const ellLetters = Array.from({ length: ell }, (_, i) => String.fromCharCode(0x3b1 + i));
  const expand = (t: string, rank: number): string[] => {
    if (!t.includes('...')) return [...t];
    const [a, b] = t.split('...') as [string, string];
    const n = rank - a.length - b.length;
    return [...a, ...ellLetters.slice(ell - n), ...b];
  };
  const inputs = terms.map((t, i) => expand(t, ranks[i]!));
  inputs.forEach((t, i) => {
    if (t.length !== ranks[i]) throw new Unsupported(`Einsum term '${terms[i]}' does not match operand ${i} of rank ${ranks[i]}`);
    if (new Set(t).size !== t.length) throw new Unsupported(`Einsum with a repeated index in '${terms[i]}' (a diagonal)`);
  });
  let output: string[];
  if (rhs !== undefined) output = expand(rhs, ell + rhs.replace('...', '').length);
  else {
    // Implicit output: the ellipsis, then the letters seen once, in alphabetical order.
    const count = new Map<string, number>();
    for (const t of inputs) for (const l of t) count.set(l, (count.get(l) ?? 0) + 1);
    output = [...ellLetters, ...[...count].filter(([l, n]) => n === 1 && !ellLetters.includes(l)).map(([l]) => l).sort()];
  }
  return { inputs, output };
}

const prod = (v: number[]): number => v.reduce((a, b) => a * b, 1);

/** Sums away the letters of `t` that `keep` does not need. */
function sumOut(c: LowerCtx, t: Term, keep: Set<string>): Term {
  const drop = t.letters.map((l, i) => (keep.has(l) ? -1 : i)).filter((i) => i >= 0);
  if (drop.length === 0) return t;
  const shape = t.shape.filter((_, i) => !drop.includes(i));
  const y = c.b.tmp(`${c.node.name}/sum`, c.dtype(c.node.inputs[0]!), shape);
  c.b.emit('SUM', [t.name, c.b.int32(`${c.node.name}/sum_axes`, drop)], [y], { keep_dims: bool(false) });
  return { letters: t.letters.filter((_, i) => !drop.includes(i)), name: y, shape };
}

function permuted(c: LowerCtx, t: Term, order: string[]): Term {
  const perm = order.map((l) => t.letters.indexOf(l));
  if (perm.every((p, i) => p === i)) return t;
  return { letters: order, name: c.b.transpose(t.name, perm), shape: perm.map((p) => t.shape[p]!) };
}

/**
 * Writes term t (holding exactly the output's letters) as the node's output, in one op: LiteRT
 * computes garbage for a RESHAPE of a rank-0 tensor, which a reshape chain would produce.
 */
function emitOut(c: LowerCtx, t: Term, output: string[]): void {
  const perm = output.map((l) => t.letters.indexOf(l));
  if (perm.every((p, i) => p === i)) c.b.reshape(t.name, c.shape(c.node.outputs[0]!), c.out());
  else c.b.transpose(t.name, perm, c.out());
}

const einsum: Rule = (c) => {
  const names = c.node.inputs;
  if (names.length < 1 || names.length > 2) throw new Unsupported(`Einsum of ${names.length} operands (one or two are lowered)`);
  const shapes = names.map((n) => c.shape(n));
  const { inputs, output } = parseEquation(c.string('equation', ''), shapes.map((s) => s.length));
  const terms: Term[] = names.map((n, i) => ({ letters: inputs[i]!, name: c.v(n), shape: shapes[i]! }));
  const outSet = new Set(output);
  if (terms.length === 1) {
    if (output.some((l) => !terms[0]!.letters.includes(l))) throw new Unsupported('Einsum output index not in the operand');
    return emitOut(c, sumOut(c, terms[0]!, outSet), output);
  }
  const [a0, b0] = terms as [Term, Term];
  // An index only one operand has and the output drops is summed there first.
  const a = sumOut(c, a0, new Set([...outSet, ...b0.letters]));
  const b = sumOut(c, b0, new Set([...outSet, ...a0.letters]));
  const inB = new Set(b.letters), inA = new Set(a.letters);
  const batch = output.filter((l) => inA.has(l) && inB.has(l));
  const freeA = a.letters.filter((l) => !inB.has(l));
  const freeB = b.letters.filter((l) => !inA.has(l));
  const contr = a.letters.filter((l) => inB.has(l) && !outSet.has(l));
  for (const l of [...batch, ...contr]) {
    if (a.shape[a.letters.indexOf(l)] !== b.shape[b.letters.indexOf(l)]) throw new Unsupported(`Einsum index '${l}' differs in size between the operands (broadcast)`);
  }
  if (output.some((l) => !inA.has(l) && !inB.has(l))) throw new Unsupported('Einsum output index in neither operand');
  const dim = (l: string): number => (inA.has(l) ? a.shape[a.letters.indexOf(l)]! : b.shape[b.letters.indexOf(l)]!);
  const bs = batch.map(dim), ms = freeA.map(dim), ns = freeB.map(dim), ks = contr.map(dim);
  const [Bt, M, N, K] = [prod(bs), prod(ms), prod(ns), prod(ks)];
  const dtype = c.dtype(names[0]!);
  const a3 = c.b.reshape(permuted(c, a, [...batch, ...freeA, ...contr]).name, [Bt, M, K]);
  const b3 = c.b.reshape(permuted(c, b, [...batch, ...contr, ...freeB]).name, [Bt, K, N]);
  const mm = c.b.tmp(`${c.node.name}/matmul`, dtype, [Bt, M, N]);
  c.b.emit('BATCH_MATMUL', [a3, b3], [mm], {}, c.node.name);
  const letters = [...batch, ...freeA, ...freeB];
  const shape = [...bs, ...ms, ...ns];
  const inOrder = output.every((l, i) => letters[i] === l);
  emitOut(c, { letters, name: inOrder ? mm : c.b.reshape(mm, shape), shape }, output);
};

export const EINSUM_RULES: Record<string, Rule> = { Einsum: einsum };
