import { readModel } from '../lib/formats/registry';
import { summarize, type ModelSummary } from '../lib/ir/summary';
import { formatShape } from '../lib/ir/values';
import { loadInputFiles } from './files';

export async function inspect(paths: string[]): Promise<ModelSummary> {
  const files = await loadInputFiles(paths);
  return summarize(await readModel(files));
}

export function inspectText(s: ModelSummary): string {
  const lines = [
    `${s.name}  (${s.format})`,
    `  operators   ${s.nodeCount}`,
    `  parameters  ${s.parameters}`,
    `  bytes       ${s.bytes}${s.files.length > 1 ? ` in ${s.files.length} files` : ''}`,
  ];
  for (const [k, v] of Object.entries(s.metadata).slice(0, 8)) lines.push(`  ${k.padEnd(11)} ${v.length > 80 ? v.slice(0, 80) + '...' : v}`);
  if (Object.keys(s.opsets).length) lines.push(`  opsets      ${Object.entries(s.opsets).map(([d, v]) => `${d || 'ai.onnx'}:${v}`).join(' ')}`);
  if (s.graphs > 1 || s.nestedGraphs) lines.push(`  graphs      ${s.graphs} (+${s.nestedGraphs} nested)`);
  lines.push('  inputs');
  for (const t of s.inputs) lines.push(`    ${t.name}  ${t.dtype} ${formatShape(t.shape)}`);
  lines.push('  outputs');
  for (const t of s.outputs) lines.push(`    ${t.name}  ${t.dtype} ${formatShape(t.shape)}`);
  lines.push('  ops');
  for (const [op, n] of Object.entries(s.ops)) lines.push(`    ${String(n).padStart(5)}  ${op}`);
  if (s.customOps.length) lines.push(`  custom ops  ${s.customOps.join(', ')}`);
  return lines.join('\n');
}
