/**
 * ONNX op coverage of the converter on ONNX's own node tests (Debian libonnx-testdata): each
 * test converted, run in LiteRT.js, compared with its expected outputs. Writes the report.
 *
 *   npx tsx scripts/op-coverage.ts [--out docs/op-coverage.md] [--only <substring>] [--json <file>] [--tfjs-tflite]
 *
 * --tfjs-tflite also runs every test that passes in LiteRT.js in tfjs-tflite (one child process
 * per test: minutes, not seconds), and the report gets its column.
 *
 * lib/verify/onnx-node-tests.test.ts runs the same check in the suite.
 */
import { writeFileSync } from 'node:fs';
import { nodeTestDirs, runNodeTest, type CaseResult } from '../lib/verify/onnx-node-tests';
import { renderCoverage, coverageTotals } from '../lib/verify/coverage-report';

async function main(argv: string[]): Promise<number> {
  const arg = (k: string) => { const i = argv.indexOf(k); return i >= 0 ? argv[i + 1] : undefined; };
  const only = arg('--only');
  const dirs = nodeTestDirs().filter((d) => !only || d.includes(only));
  if (dirs.length === 0) {
    console.error('no ONNX node tests found: install Debian libonnx-testdata');
    return 1;
  }
  const results: CaseResult[] = [];
  const t0 = Date.now();
  for (const d of dirs) {
    const r = await runNodeTest(d, undefined, { tfjsTflite: argv.includes('--tfjs-tflite') });
    results.push(r);
    if (only || process.env.VERBOSE) console.log(`${r.outcome.padEnd(8)} ${d} ${r.detail}${r.tfjsTflite ? ` | tfjs-tflite: ${r.tfjsTflite.outcome} ${r.tfjsTflite.detail}` : ''}`);
  }
  const t = coverageTotals(results);
  console.log(`${dirs.length} tests in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${t.expressible} expressible float-path tests, ${t.pass} pass (${(100 * t.pass / Math.max(1, t.expressible)).toFixed(1)} %; ${t.passFixed} of them with parameters fixed), ${t.wrong} wrong, ${t.failed} failed, ${t.refusedExpressible} refused; ${t.notExpressible} of ops TFLite cannot express (${t.unnamed} refused without naming the op)`);
  const json = arg('--json');
  if (json) writeFileSync(json, JSON.stringify(results, null, 1));
  const out = arg('--out');
  if (out && !only) {
    writeFileSync(out, renderCoverage(results));
    // The passing tests, which the suite holds the converter to (lib/verify/onnx-node-tests.test.ts).
    writeFileSync(out.replace(/\.md$/, '.json'), `${JSON.stringify({ pass: results.filter((r) => r.outcome === 'pass').map((r) => r.test) }, null, 1)}\n`);
  }
  return 0;
}

void main(process.argv.slice(2)).then((c) => process.exit(c));
