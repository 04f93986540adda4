/**
 * How closely two runs of an integer model agree, in steps of the output's quantization (LSB):
 * the measure the TFLite runtimes are held to (exact kernels differ only in rounding).
 */
import type { HostTensor } from '../runtime/types';

export interface LsbAgreement {
  elements: number;
  exact: number;
  /** Elements that differ by at most one step. */
  withinOne: number;
  maxDiff: number;
}

export function lsbAgreement(a: HostTensor[][], b: HostTensor[][]): LsbAgreement {
  const r: LsbAgreement = { elements: 0, exact: 0, withinOne: 0, maxDiff: 0 };
  const sets = Math.min(a.length, b.length);
  for (let s = 0; s < sets; s++) {
    a[s]!.forEach((x, k) => {
      const y = b[s]![k];
      if (!y || y.data.length !== x.data.length) throw new Error(`output ${x.name} of set ${s}: ${x.data.length} vs ${y?.data.length ?? 'no'} elements`);
      for (let i = 0; i < x.data.length; i++) {
        const d = Math.abs(Number(x.data[i]) - Number(y.data[i]));
        r.elements++;
        if (d === 0) r.exact++;
        if (d <= 1) r.withinOne++;
        if (d > r.maxDiff) r.maxDiff = d;
      }
    });
  }
  return r;
}

export const share = (n: number, of: number): number => (of === 0 ? 1 : n / of);
