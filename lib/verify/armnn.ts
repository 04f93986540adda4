/**
 * Arm NN (Debian python3-pyarmnn 20.08, CpuRef backend) as an independent .tflite verifier.
 *
 * Runs tools/armnn/run.py with /usr/bin/python3 in a subprocess with a timeout: Arm NN can
 * abort or segfault on some models, and that must come back as a result, not kill the caller.
 * What Arm NN lacks (ops, several subgraphs, weights computed at run time such as DEQUANTIZE of
 * float16, dtypes) comes back as 'unsupported' with the op named; anything else as 'error'.
 * Node-only; never import from app code.
 */
import fs from 'node:fs';
import path from 'node:path';
import { tfliteFormat } from '../formats/tflite/index';
import type { Graph, Node } from '../ir/types';
import type { HostTensor } from '../runtime/types';
import { encodeRequest, repoRoot, runChild, type ChildResult } from './subprocess';
import { asSets, defaultTimeout, type ChildRunOptions } from './tfjs-tflite';

export const ARMNN_APT_PACKAGES = ['python3-pyarmnn', 'libarmnntfliteparser22', 'libarmnn-cpuref-backend22', 'python3-numpy'];

/** Debian's pyarmnn is built for the system python, not a pyenv/venv one. */
export const ARMNN_PYTHON = process.env.ARMNN_PYTHON ?? '/usr/bin/python3';

/** Null when pyarmnn looks installed, else why not (with the command that fixes it). */
export function armnnMissing(): string | null {
  if (!fs.existsSync(ARMNN_PYTHON)) return `${ARMNN_PYTHON} not found`;
  const found = ['/usr/lib/python3/dist-packages/pyarmnn'].some((d) => fs.existsSync(d));
  return found ? null : `pyarmnn is not installed: run apt-get install -y ${ARMNN_APT_PACKAGES.join(' ')} (or scripts/install-test-deps.sh)`;
}

function systemPythonEnv(): NodeJS.ProcessEnv {
  // A user's PYTHONPATH/PYTHONHOME (pyenv, venv) can shadow Debian's numpy and pyarmnn.
  const env: NodeJS.ProcessEnv = { ...process.env, PYTHONNOUSERSITE: '1' };
  delete env.PYTHONPATH;
  delete env.PYTHONHOME;
  return env;
}

export type ArmnnResult = ChildResult & { op?: string };

/**
 * Features Arm NN 20.08 parses but computes wrongly, found by checking it layer by layer against
 * the integer reference (lib/quantize/layers-check.ts) and in the reference's op tests: a model
 * with one of them is reported 'unsupported' with the reason rather than run into a mismatch.
 */
const DEFECTS: Array<{ op: string; when: (n: Node, g: Graph) => boolean; why: string }> = [
  {
    op: 'PAD',
    when: (n, g) => { const t = g.tensors.get(n.inputs[0] ?? ''); return !!t?.quant && /int8/.test(t.dtype) && (t.quant.zeroPoint[0] ?? 0) !== 0; },
    why: 'quantized PAD: Arm NN 20.08 pads with code 0 instead of the zero point',
  },
  {
    op: 'CONV_2D',
    when: (n, g) => {
      const x = g.tensors.get(n.inputs[0] ?? '')?.shape, w = g.tensors.get(n.inputs[1] ?? '')?.shape;
      return !!x && !!w && x.length === 4 && w.length === 4 && typeof x[3] === 'number' && x[3] !== w[3];
    },
    why: 'grouped CONV_2D: Arm NN 20.08 ignores the groups',
  },
  {
    op: 'RESIZE_BILINEAR',
    when: (n) => n.attrs.half_pixel_centers?.kind === 'bool' && n.attrs.half_pixel_centers.value,
    why: 'RESIZE with half_pixel_centers: Arm NN 20.08 ignores it',
  },
  {
    op: 'RESIZE_NEAREST_NEIGHBOR',
    when: (n) => (n.attrs.half_pixel_centers?.kind === 'bool' && n.attrs.half_pixel_centers.value) || (n.attrs.align_corners?.kind === 'bool' && n.attrs.align_corners.value),
    why: 'RESIZE_NEAREST_NEIGHBOR with half_pixel_centers or align_corners: Arm NN 20.08 ignores them',
  },
];

/** Why Arm NN 20.08 would compute this model wrongly, or null. */
export async function armnnDefect(model: Uint8Array): Promise<{ op: string; why: string } | null> {
  let ir;
  try {
    ir = await tfliteFormat.read([{ name: 'model.tflite', bytes: model }]);
  } catch {
    return null;
  }
  const g = ir.graphs[0];
  if (!g) return null;
  for (const n of g.nodes) for (const d of DEFECTS) if (n.op === `tfl.${d.op}` && d.when(n, g)) return { op: d.op, why: `${d.why} (node ${n.name})` };
  return null;
}

/** The op name Arm NN's message points at, directly ("opcode:L / RSQRT") or by operator index. */
async function opNamed(message: string, model: Uint8Array): Promise<string | undefined> {
  const direct = /opcode:[^/]*\/\s*([A-Z0-9_]+)/.exec(message);
  if (direct) return direct[1];
  const layer = /Layer of type ([A-Za-z0-9_]+)/.exec(message);
  if (layer) return layer[1];
  const at = /operator #(\d+) within subgraph #(\d+)/.exec(message);
  if (!at) return undefined;
  try {
    const ir = await tfliteFormat.read([{ name: 'model.tflite', bytes: model }]);
    const node = ir.graphs[Number(at[2])]?.nodes[Number(at[1])];
    return node?.op.replace(/^tfl\./, '');
  } catch {
    return undefined;
  }
}

/** Turns Arm NN's parser wording into a sentence that says what it lacks. */
function explain(message: string, op: string | undefined): string {
  const first = message.split('\n')[0]!.replace(/\s+at function .*$/, '').trim();
  const opPart = op ? `${op}: ` : '';
  if (/only supports 1 subgraph/.test(message)) return `Arm NN supports one subgraph only (control flow / several subgraphs): ${first}`;
  if (/Buffer #\d+ has 0 bytes/.test(message)) {
    return `${opPart}Arm NN needs constant weights; this tensor is computed at run time (e.g. DEQUANTIZE of float16 weights): ${first}`;
  }
  if (/Operator not supported/.test(message)) return `${opPart}operator not supported by Arm NN: ${first}`;
  return `${opPart}${first}`;
}

/**
 * Runs `model` on one input set (model input order, exact dtypes and shapes) or on several
 * (`HostTensor[][]`: one process, one network load) in Arm NN CpuRef.
 * Never throws for the runtime's sake.
 */
export async function runArmnn(model: Uint8Array, inputs: HostTensor[] | HostTensor[][], options: ChildRunOptions = {}): Promise<ArmnnResult> {
  const sets = asSets(inputs);
  const missing = armnnMissing();
  if (missing) return { ok: false, kind: 'error', stage: 'install', message: missing, stderr: '', ms: 0 };
  const defect = options.allowDefects ? null : await armnnDefect(model);
  if (defect) return { ok: false, kind: 'unsupported', stage: 'known defect', message: defect.why, op: defect.op, stderr: '', ms: 0 };
  const root = options.root ?? repoRoot();
  const r = await runChild(
    {
      command: ARMNN_PYTHON,
      args: [path.join(root, 'tools', 'armnn', 'run.py')],
      timeoutMs: options.timeoutMs ?? defaultTimeout(sets.length),
      cwd: root,
      // A user's PYTHONPATH/PYTHONHOME (pyenv, venv) can shadow Debian's numpy and pyarmnn.
      env: systemPythonEnv(),
    },
    encodeRequest(model, sets),
  );
  if (r.ok || r.kind !== 'unsupported') return r;
  const op = await opNamed(r.message, model);
  return { ...r, op, message: explain(r.message, op) };
}
