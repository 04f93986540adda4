/** The prune op table of each dialect. */
import type { Dialect } from '../ir/types';
import type { DialectOps } from './ops';
import { kerasPruneOps } from './ops-keras';
import { onnxPruneOps } from './ops-onnx';
import { tfPruneOps } from './ops-tf';
import { tflPruneOps } from './ops-tfl';

export const PRUNE_OPS: Record<Dialect, DialectOps> = { tfl: tflPruneOps, onnx: onnxPruneOps, tf: tfPruneOps, keras: kerasPruneOps };
