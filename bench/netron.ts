/**
 * The two apps bench/ui-open.ts compares, served locally. Ours: `next start` on the existing
 * production build (or a URL given). Netron, the reference viewer: found in a cache folder outside
 * the repo (nothing of Netron is committed) and served as static files on a local port.
 * Cache: $NETRON_DIR, else $XDG_CACHE_HOME/edge-model-studio/netron, else .cache/edge-model-studio/netron
 * in the home folder.
 * The folder holds Netron's static web app either as source/ (from `git archive`) or repo/source/
 * (from a clone). When it has neither, $NETRON_GIT (a Netron git directory) fills it.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { homedir } from 'node:os';
import { dirname, extname, join, normalize, resolve, sep } from 'node:path';

export function netronCacheDir(): string {
  if (process.env.NETRON_DIR) return resolve(process.env.NETRON_DIR);
  const cache = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(cache, 'edge-model-studio', 'netron');
}

function findSource(dir: string): string | null {
  for (const s of [join(dir, 'source'), join(dir, 'repo', 'source')]) {
    if (existsSync(join(s, 'index.html')) && existsSync(join(s, 'view.js'))) return s;
  }
  return null;
}

/**
 * source/ of HEAD into dir. A git directory may have no work tree, so read the tree; a partial
 * snapshot may lack some large blobs (git archive then fails), so fall back to blob by blob and
 * say which files are missing (Netron tolerates absent *-metadata.json: no op schemas).
 */
function extract(gitDir: string, dir: string): void {
  mkdirSync(dir, { recursive: true });
  const git = (...args: string[]) => execFileSync('git', ['--git-dir', gitDir, ...args], { maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'ignore'] });
  try {
    execFileSync('tar', ['-x', '-C', dir], { input: git('archive', 'HEAD', 'source', 'package.json') });
    return;
  } catch {
    // fall through
  }
  const missing: string[] = [];
  for (const line of git('ls-tree', '-r', '-z', 'HEAD', 'source', 'package.json').toString().split('\0')) {
    const [meta, path] = line.split('\t');
    const [, type, sha] = (meta ?? '').split(' ');
    if (type !== 'blob' || !path || !sha) continue;
    try {
      const body = git('cat-file', 'blob', sha);
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), body);
    } catch {
      missing.push(path);
    }
  }
  if (missing.length) console.warn(`Netron snapshot lacks ${missing.join(', ')} (left out)`);
}

/** The folder holding Netron's index.html; exits with instructions when there is none. */
export function ensureNetron(): string {
  const dir = netronCacheDir();
  let src = findSource(dir);
  if (!src && process.env.NETRON_GIT) {
    extract(process.env.NETRON_GIT, dir);
    src = findSource(dir);
  }
  if (!src) {
    console.error(
      `Netron not found in ${dir}.\nGet it with one of:\n` +
        `  git clone --depth 1 https://github.com/lutzroeder/netron ${join(dir, 'repo')}\n` +
        `  NETRON_GIT=/path/to/netron/.git npm run bench:ui   (extracts source/ from that git directory)\n` +
        `or point NETRON_DIR at a folder holding source/index.html.`,
    );
    process.exit(2);
  }
  return src;
}

export function netronVersion(src: string): string {
  for (const f of [join(src, '..', 'package.json'), join(src, 'package.json')]) {
    if (existsSync(f)) return String(JSON.parse(readFileSync(f, 'utf8')).version ?? '?');
  }
  return '?';
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript',
  '.json': 'application/json', '.css': 'text/css', '.wasm': 'application/wasm', '.svg': 'image/svg+xml',
  '.png': 'image/png', '.ico': 'image/x-icon', '.ttf': 'font/ttf', '.woff': 'font/woff', '.woff2': 'font/woff2',
};

/** Static server for one folder; resolves with its base URL (ends with '/'). */
export function serveStatic(root: string): Promise<{ url: string; server: Server }> {
  const top = resolve(root);
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const file = normalize(join(top, path.endsWith('/') ? `${path}index.html` : path));
    if (!(file === top || file.startsWith(top + sep)) || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    try {
      const body = readFileSync(file);
      // Browser contexts start with empty caches anyway; no-store just keeps runs alike.
      res.writeHead(200, { 'content-type': MIME[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  return new Promise((ok) => {
    server.listen(0, '127.0.0.1', () => ok({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, server }));
  });
}

function freePort(): Promise<number> {
  return new Promise((ok, bad) => {
    const s = createNetServer().once('error', bad).listen(0, '127.0.0.1', () => {
      const port = (s.address() as AddressInfo).port;
      s.close(() => ok(port));
    });
  });
}

/** Ours: the URL given, else `next start` on the build already in .next (we never build here). */
export async function startOurs(root: string, given?: string): Promise<{ url: string; child: ChildProcess | null }> {
  if (given) return { url: given.replace(/\/?$/, '/'), child: null };
  if (!existsSync(join(root, '.next', 'BUILD_ID'))) {
    console.error('No production build in .next: run `npm run build` first (or pass the base URL of a running one).');
    process.exit(2);
  }
  const port = await freePort();
  const child = spawn(process.execPath, [require.resolve('next/dist/bin/next'), 'start', '-p', String(port), '-H', '127.0.0.1'], {
    cwd: root, stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}/`;
  for (let i = 0; i < 120; i++) {
    if (await fetch(url).then((r) => r.ok, () => false)) return { url, child };
    await new Promise((r) => setTimeout(r, 500));
  }
  child.kill();
  throw new Error(`next start did not answer on ${url}`);
}
