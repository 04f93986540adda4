/**
 * int16 LOGISTIC and TANH (reference_integer_ops::Logistic / Tanh for int16, activations.cc
 * Prepare): the input is brought to a fixed scale (3 * 4096 steps per unit, via a multiplier
 * and shift) and looked up with linear interpolation in TFLite's 256-entry sigmoid table
 * (sigmoid(i / 24) in 0.16, tanh(x) = 2 * sigmoid(2x) - 1).
 *
 * The table is TFLite's own data, not a formula: its entries are tuned against interpolation
 * error (about a sixth of them differ from round(65536 * sigmoid(i / 24))), so it is copied.
 *
 * With a power-of-two input scale TFLite's optimized registration (what runtimes run) switches to
 * gemmlowp's polynomial instead of this table; only the reference registration always uses it.
 */
import { quant, unsupported, allocOutput, input, output, type Kernel, type KernelArgs } from '../kernel-util';

const SIGMOID_TABLE_UINT16 = new Uint32Array([
  32768, 33451, 34133, 34813, 35493, 36169, 36843, 37513, 38180, 38841, 39498, 40149, 40794, 41432,
  42064, 42688, 43304, 43912, 44511, 45102, 45683, 46255, 46817, 47369, 47911, 48443, 48964, 49475,
  49975, 50464, 50942, 51409, 51865, 52311, 52745, 53169, 53581, 53983, 54374, 54755, 55125, 55485,
  55834, 56174, 56503, 56823, 57133, 57433, 57724, 58007, 58280, 58544, 58800, 59048, 59288, 59519,
  59743, 59959, 60168, 60370, 60565, 60753, 60935, 61110, 61279, 61441, 61599, 61750, 61896, 62036,
  62172, 62302, 62428, 62549, 62666, 62778, 62886, 62990, 63090, 63186, 63279, 63368, 63454, 63536,
  63615, 63691, 63765, 63835, 63903, 63968, 64030, 64090, 64148, 64204, 64257, 64308, 64357, 64405,
  64450, 64494, 64536, 64576, 64614, 64652, 64687, 64721, 64754, 64786, 64816, 64845, 64873, 64900,
  64926, 64950, 64974, 64997, 65019, 65039, 65060, 65079, 65097, 65115, 65132, 65149, 65164, 65179,
  65194, 65208, 65221, 65234, 65246, 65258, 65269, 65280, 65291, 65301, 65310, 65319, 65328, 65337,
  65345, 65352, 65360, 65367, 65374, 65381, 65387, 65393, 65399, 65404, 65410, 65415, 65420, 65425,
  65429, 65433, 65438, 65442, 65445, 65449, 65453, 65456, 65459, 65462, 65465, 65468, 65471, 65474,
  65476, 65479, 65481, 65483, 65485, 65488, 65489, 65491, 65493, 65495, 65497, 65498, 65500, 65501,
  65503, 65504, 65505, 65507, 65508, 65509, 65510, 65511, 65512, 65513, 65514, 65515, 65516, 65517,
  65517, 65518, 65519, 65520, 65520, 65521, 65522, 65522, 65523, 65523, 65524, 65524, 65525, 65525,
  65526, 65526, 65526, 65527, 65527, 65528, 65528, 65528, 65529, 65529, 65529, 65529, 65530, 65530,
  65530, 65530, 65531, 65531, 65531, 65531, 65531, 65532, 65532, 65532, 65532, 65532, 65532, 65533,
  65533, 65533, 65533, 65533, 65533, 65533, 65533, 65534, 65534, 65534, 65534, 65534, 65534, 65534,
  65534, 65534, 65534, 65535,]);

/** The Prepare step: multiplier 0 means "power-of-two scale", handled by the kernel as 3 << shift. */
function inputScaling(args: KernelArgs, tanh: boolean): { multiplier: number; leftShift: number } {
  const qi = quant(input(args, 0).tensor);
  const qo = quant(output(args));
  if (qi.zeroPoint !== 0 || qo.zeroPoint !== 0) unsupported(args, 'int16 with non-zero zero points');
  if (Math.abs(Math.log2(qo.scale) + 15) > 1e-3) unsupported(args, 'int16 output scale other than 2^-15');
  const log2 = Math.log2(qi.scale);
  const rounded = Math.round(log2);
  const leftShift = 15 - 3 + rounded;
  const pot = Math.abs(log2 - rounded) < 1e-3 && (leftShift === 0 || (tanh && leftShift === 1));
  if (pot) return { multiplier: 3 << leftShift, leftShift: 0 };
  let multiplier = qi.scale * 4096 * 3;
  let shift = 0;
  while (multiplier <= 32767 / 2 && shift <= 30) {
    shift++;
    multiplier *= 2;
  }
  return { multiplier: Math.trunc(multiplier), leftShift: shift };
}

function lookup(tanh: boolean): Kernel {
  return (args) => {
    const x = input(args, 0).value;
    const y = allocOutput(args, output(args), x.shape);
    const { multiplier, leftShift } = inputScaling(args, tanh);
    const round = leftShift > 0 ? 1 << (leftShift - 1) : 0;
    const fracBits = tanh ? 8 : 9;
    const xs = x.data as Int16Array;
    for (let i = 0; i < xs.length; i++) {
      const v = (xs[i]! * multiplier + round) >> leftShift;
      const a = Math.abs(v);
      const uh = a >>> fracBits;
      let r: number;
      if (uh >= 255) r = tanh ? 0xffff << 8 : 0x7fff << 10;
      else {
        const ua = SIGMOID_TABLE_UINT16[uh]!;
        const ub = SIGMOID_TABLE_UINT16[uh + 1]!;
        r = ua * (1 << fracBits) + (a & ((1 << fracBits) - 1)) * (ub - ua);
      }
      if (tanh) y.data[i] = (v >= 0 ? r - (1 << 23) + (1 << 7) : -r + (1 << 23) + (1 << 7) - 1) >> 8;
      else y.data[i] = (v >= 0 ? r + (1 << 9) : (1 << 25) - r + (1 << 9) - 1) >>> 10;
    }
    return [y];
  };
}

export const INT16_LOGISTIC_OPS = { LOGISTIC: lookup(false), TANH: lookup(true) };
