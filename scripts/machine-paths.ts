/**
 * Finds absolute machine paths in the project's own files. A test that reads a file from the temp
 * folder or a home-folder cache passes only on the machine where an earlier session left that file, so a
 * green run there hides a missing install step. The only absolute paths allowed are the install
 * locations of the Debian packages the README lists, and the default Chromium.
 *
 *   npx tsx scripts/machine-paths.ts      # prints every hit, exits 1 if any
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

/** Prefixes that the README's apt packages install (or that every Debian has). */
export const ALLOWED = [
  '/usr/share/libonnx-testdata', // libonnx-testdata
  '/usr/share/datasets/fashion-mnist', // dataset-fashion-mnist
  '/usr/bin/chromium', // chromium (default of CHROMIUM_PATH)
  '/usr/bin/python3', // python3, the interpreter Debian's python3-pyarmnn is built for
  '/usr/lib/python3/dist-packages/pyarmnn', // python3-pyarmnn
  '/usr/bin/env', // shebangs
];

/** Top-level folders of a Linux or macOS machine; app URL paths (`/models/...`) are not among them. */
const ROOTS = 'tmp|root|home|work|usr|opt|var|etc|mnt|srv|media|data|Users|private|Volumes|snap|nix';
// Not after a word character, dot, colon or slash (skips URLs, relative paths and `a/tmp/b`), and
// followed by a slash or a quote (skips regex literals such as `/work limit/`).
const ABSOLUTE = new RegExp(`(?<![\\w.:/~$-])(?:/(?:${ROOTS})(?=[/'"\`)]|$)|~/[\\w.])[^\\s'"\`)<>,;]*`, 'g');

export interface Hit { file: string; line: number; path: string }

/** Every absolute machine path in `text` that is not under an allowed prefix. */
export function machinePaths(text: string, file = ''): Hit[] {
  const hits: Hit[] = [];
  text.split('\n').forEach((lineText, i) => {
    for (const m of lineText.matchAll(ABSOLUTE)) {
      const p = m[0];
      if (!ALLOWED.some((a) => p.startsWith(a))) hits.push({ file, line: i + 1, path: p });
    }
  });
  return hits;
}

/** Folders that hold installed or generated files, not the project's own. */
const SKIP_DIRS = new Set(['node_modules', '.git', '.next', '.cache', 'test-results', 'playwright-report', 'out', 'third_party']);
const TEXT = /\.(ts|tsx|js|mjs|cjs|py|sh|json|md|ya?ml|fbs|css|html)$|^run$/;

/** Text files of the project (not dependencies, fetched models or build output). */
export function projectFiles(root: string, dir = root): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    const st = statSync(full);
    if (st.isDirectory()) {
      if (!SKIP_DIRS.has(name)) out.push(...projectFiles(root, full));
    } else if (TEXT.test(name) && name !== 'package-lock.json' && st.size < 5_000_000) {
      out.push(path.relative(root, full));
    }
  }
  return out;
}

/** Files git would commit (tracked, or new and not ignored); the folder walk where git is absent. */
function committable(root: string): string[] {
  try {
    const out = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return out.split('\0').filter((f) => f && TEXT.test(path.basename(f)) && path.basename(f) !== 'package-lock.json' && statSync(path.join(root, f), { throwIfNoEntry: false })?.isFile());
  } catch {
    return projectFiles(root);
  }
}

export function scanProject(root: string): Hit[] {
  return committable(root).flatMap((f) => machinePaths(readFileSync(path.join(root, f), 'utf8'), f));
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(__filename)) {
  const hits = scanProject(path.resolve(__dirname, '..'));
  for (const h of hits) console.log(`${h.file}:${h.line}: ${h.path}`);
  console.log(`${hits.length} machine path(s) outside the documented install locations`);
  process.exitCode = hits.length ? 1 : 0;
}
