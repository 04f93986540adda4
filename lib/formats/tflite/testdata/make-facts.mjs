// Writes flatc-facts.json: facts about the third-party fixture models as decoded by flatc (a
// parser independent of ours), for reader.real.test.ts to compare against; and encodes the
// hand-written quantized.json into quantized.tflite with flatc (an encoder independent of ours),
// for reader.flatc.test.ts. Run from the repo root after `npm install` has fetched the fixtures:
//   node lib/formats/tflite/testdata/make-facts.mjs
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const SCHEMA = 'lib/formats/tflite/schema/tflite.fbs';
const FIXTURES = process.env.TFLITE_FIXTURES_DIR ?? 'fixtures/third_party';
const MODELS = [
  'mediapipe-face_detection/face_detection_short_range.tflite',
  'mediapipe-face_detection/face_detection_full_range.tflite',
  'mediapipe-face_detection/face_detection_full_range_sparse.tflite',
  'mediapipe-selfie_segmentation/selfie_segmentation.tflite',
  'openwakeword/hey_jarvis_v0.1.tflite',
  'openwakeword/melspectrogram.tflite',
  'openwakeword/embedding_model.tflite',
];

// BuiltinOperator names by value, straight from the schema text (flatc prints deprecated codes as numbers).
const fbs = readFileSync(SCHEMA, 'utf8');
const enumBody = /enum BuiltinOperator : int32 \{([^}]*)\}/.exec(fbs)[1].replace(/\/\/[^\n]*/g, '');
const opNames = {};
for (const m of enumBody.matchAll(/(\w+)\s*=\s*(\d+)/g)) opNames[m[2]] = m[1];
const opValue = Object.fromEntries(Object.entries(opNames).map(([v, n]) => [n, Number(v)]));

execFileSync('flatc', ['-b', '-o', 'lib/formats/tflite/testdata', SCHEMA, 'lib/formats/tflite/testdata/quantized.json']);

const out = {};
const tmp = mkdtempSync(path.join(tmpdir(), 'tflite-facts-'));
for (const rel of MODELS) {
  const file = path.join(FIXTURES, rel);
  if (!existsSync(file)) throw new Error(`missing ${file}: run npm install (scripts/fetch-models.mjs)`);
  execFileSync('flatc', ['--json', '--strict-json', '--raw-binary', '-o', tmp, SCHEMA, '--', file]);
  const j = JSON.parse(readFileSync(path.join(tmp, path.basename(file, '.tflite') + '.json'), 'utf8'));
  const codes = (j.operator_codes ?? []).map((oc) => {
    const code = Math.max(oc.deprecated_builtin_code ?? 0, opValue[oc.builtin_code ?? 'ADD']);
    return code === 32 ? oc.custom_code : opNames[code] ?? `UNKNOWN_${code}`;
  });
  const shapeOf = (t) => (t.shape_signature?.length ? t.shape_signature : t.shape ?? []);
  out[rel] = {
    version: j.version,
    description: j.description ?? null,
    metadata: (j.metadata ?? []).map((m) => m.name),
    subgraphs: j.subgraphs.map((s) => {
      const ops = s.operators ?? [];
      const tensors = s.tensors ?? [];
      const histogram = {};
      for (const o of ops) {
        const n = codes[o.opcode_index ?? 0];
        histogram[n] = (histogram[n] ?? 0) + 1;
      }
      return {
        name: s.name ?? null,
        operatorCount: ops.length,
        tensorCount: tensors.length,
        firstOps: ops.slice(0, 12).map((o) => ({ op: codes[o.opcode_index ?? 0], inputs: o.inputs ?? [], outputs: o.outputs ?? [], options: o.builtin_options ?? null })),
        histogram,
        inputs: (s.inputs ?? []).map((i) => ({ index: i, shape: shapeOf(tensors[i]) })),
        outputs: (s.outputs ?? []).map((i) => ({ index: i, shape: shapeOf(tensors[i]) })),
        sampleTensors: tensors.map((t, i) => [t, i]).filter(([, i]) => i % 20 === 0).map(([t, i]) => ({
          index: i, name: t.name ?? '', type: t.type ?? 'FLOAT32', shape: shapeOf(t),
          bytes: (j.buffers[t.buffer ?? 0]?.data ?? []).length,
        })),
        sparseTensors: tensors.filter((t) => t.sparsity).length,
      };
    }),
  };
}
rmSync(tmp, { recursive: true, force: true });
// One line per array of numbers keeps the file short and its diffs readable.
const text = JSON.stringify(out, null, 1).replace(/\[\s*(-?\d+(?:,\s*-?\d+)*)\s*\]/g, (_, body) => `[${body.replace(/\s+/g, '')}]`);
writeFileSync('lib/formats/tflite/testdata/flatc-facts.json', text + '\n');
console.log(`wrote facts for ${MODELS.length} models`);
