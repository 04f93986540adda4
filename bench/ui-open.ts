/**
 * Drop-to-graph time of ours (production build) against Netron, same run, same files.
 * For every model of bench/open-models.ts and each app: 3 cold runs (fresh browser context, page
 * load not timed), timed from the file input's change event to the first frame where an op node
 * of the new graph is laid out and visible (in the viewport, non-zero box, not hidden), both
 * taken with performance.now() inside the page. Prints medians, ours/Netron, and the longest
 * main-thread task of ours (worst of its runs, drop to 1 s after the graph shows).
 * Usage: npm run bench:ui -- [baseURL] [--breakdown] [--only=REGEX] [--runs=N]
 * Without baseURL it starts `next start` on the existing .next build. Netron: see bench/netron.ts.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from '@playwright/test';
import { ensureNetron, netronVersion, serveStatic, startOurs } from './netron';
import { openModels, type BenchModel } from './open-models';

const ROOT = join(__dirname, '..');
const argv = process.argv.slice(2);
const flag = (name: string) => argv.find((a) => a.startsWith(`--${name}=`))?.split('=').slice(1).join('=');
const RUNS = Number(flag('runs') ?? 3);
const TIMEOUT = Number(process.env.BENCH_TIMEOUT_MS ?? 300_000);
const SETTLE = 1000;

export type AppName = 'ours' | 'netron';
interface App { name: AppName; url: string; input: string; probe: string; ready(page: Page): Promise<void> }
export interface RunResult { ms: number; longest: number; fail?: string }

/**
 * Installed before any page script. Plain JS in a string: tsx would wrap named functions in
 * __name() helpers that do not exist in the page. The rule is one function for both apps; only
 * the node query and the app's own "done" / "failed" markers differ.
 */
function probe(app: AppName): string {
  const nodes = app === 'ours'
    ? `() => document.querySelectorAll('[data-testid="op-node"],[data-testid="group-node"]')`
    : `() => { const c = document.getElementById('canvas'); return c ? c.getElementsByClassName('graph-node') : []; }`;
  const done = app === 'ours'
    ? `() => Number(document.querySelector('.studio')?.getAttribute('data-load-seq')) > b.seq0`
    : `() => document.body.classList.contains('default')`;
  const failed = app === 'ours'
    ? `() => document.querySelector('[data-testid="error"]')?.textContent || ''`
    : `() => document.body.classList.contains('alert') ? (document.getElementById('message-text')?.textContent || 'alert') : ''`;
  // Netron replaces window.eval with a thrower, which Playwright's evaluate relies on: keep the
  // real one (Netron never calls eval itself).
  const keepEval = app === 'netron' ? `const ev = window.eval; Object.defineProperty(window, 'eval', { get: () => ev, set: () => {}, configurable: true });` : '';
  return `(() => {
  ${keepEval}
  const b = window.__bench = { t0: -1, t1: -1, seq0: 0, fail: '', long: [], loaf: [], workers: [] };
  try { new PerformanceObserver((l) => { for (const e of l.getEntries()) b.long.push([e.startTime, e.duration]); }).observe({ type: 'longtask', buffered: true }); } catch {}
  try {
    new PerformanceObserver((l) => { for (const e of l.getEntries()) b.loaf.push({ start: e.startTime, dur: e.duration, block: e.blockingDuration,
      scripts: e.scripts.map((x) => [x.sourceURL.split('/').pop().split('?')[0] + ' ' + (x.invoker || '').slice(0, 40), x.duration]) }); })
      .observe({ type: 'long-animation-frame', buffered: true });
  } catch {}
  const nodes = ${nodes}, done = ${done}, failed = ${failed};
  let old = new WeakSet();
  const shown = () => {
    const l = nodes(), n = Math.min(l.length, 300);
    for (let i = 0; i < n; i++) {
      const el = l[i];
      if (old.has(el)) continue;
      const r = el.getBoundingClientRect();
      if (r.width > 0 && r.height > 0 && r.bottom > 0 && r.right > 0 && r.top < innerHeight && r.left < innerWidth &&
          el.checkVisibility({ opacityProperty: true, visibilityProperty: true })) return true;
    }
    return false;
  };
  const tick = () => {
    if (b.t1 >= 0) return;
    b.fail = failed();
    if (b.fail) return;
    if (done() && shown()) { b.t1 = performance.now(); return; }
    requestAnimationFrame(tick);
  };
  // Capture on window: runs before either app's own change handler sees the files.
  const onDrop = (e) => {
    const t = e.target;
    if (b.t0 >= 0 || !(t instanceof HTMLInputElement) || t.type !== 'file') return;
    b.t0 = performance.now();
    old = new WeakSet(Array.from(nodes()));
    b.seq0 = Number(document.querySelector('.studio')?.getAttribute('data-load-seq') || 0);
    requestAnimationFrame(tick);
  };
  addEventListener('input', onDrop, true);
  addEventListener('change', onDrop, true);
  // Worker life for the breakdown: when one starts and when it posts its messages.
  const W = window.Worker;
  window.Worker = class extends W {
    constructor(u, o) {
      super(u, o);
      const w = { url: String(u), at: performance.now(), msgs: [] };
      b.workers.push(w);
      this.addEventListener('message', () => w.msgs.push(performance.now()));
    }
  };
})();
//# sourceURL=bench-probe.js`;
}

async function freshPage(browser: Browser, app: App): Promise<Page> {
  const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  // Netron asks for cookie consent on first visit (a modal): answer it before the page loads.
  if (app.name === 'netron') await ctx.addCookies([{ name: 'consent', value: String(Date.now()), url: app.url }]);
  await ctx.addInitScript({ content: app.probe });
  const page = await ctx.newPage();
  await page.goto(app.url);
  await app.ready(page);
  await page.waitForTimeout(500); // let idle-time preloads of the page load finish
  return page;
}

async function dropAndWait(page: Page, app: App, files: string[], shot: string, settle = SETTLE): Promise<RunResult> {
  await page.locator(app.input).setInputFiles(files);
  try {
    await page.waitForFunction(() => {
      const b = (window as unknown as { __bench: { t1: number; fail: string } }).__bench;
      return b.t1 >= 0 || b.fail !== '';
    }, null, { timeout: TIMEOUT, polling: 100 });
  } catch {
    return { ms: Infinity, longest: NaN, fail: `no graph after ${TIMEOUT} ms` };
  }
  await page.waitForTimeout(settle);
  // To eyeball what the signal saw: BENCH_SHOTS=<folder> keeps one screenshot per run.
  if (process.env.BENCH_SHOTS) await page.screenshot({ path: join(process.env.BENCH_SHOTS, `${shot}.png`) });
  return page.evaluate((settle) => {
    const b = (window as unknown as { __bench: { t0: number; t1: number; fail: string; long: Array<[number, number]> } }).__bench;
    const inOpen = b.long.filter(([s, d]) => s + d >= b.t0 && s <= b.t1 + settle).map(([, d]) => d);
    return { ms: b.fail ? Infinity : b.t1 - b.t0, longest: Math.max(0, ...inOpen), ...(b.fail ? { fail: b.fail } : {}) };
  }, settle);
}

async function runOnce(browser: Browser, app: App, m: BenchModel): Promise<RunResult> {
  const page = await freshPage(browser, app);
  try {
    return await dropAndWait(page, app, m.files, `${m.id.replace(/\W+/g, '_')}-${app.name}-${Date.now()}`);
  } finally {
    await page.context().close();
  }
}

// Chunks named by a string only that library's code holds: says what a hashed chunk is.
const SIGNS: Array<[string, string]> = [['ort-wasm', 'onnxruntime-web*'], ['tfjsflags', 'tfjs-core*'], ['tfjs-backend-wasm', 'tfjs-wasm*'],
  ['litert_wasm', 'litert*'], ['recharts-wrapper', 'recharts'], ['react-flow__pane', 'app+react-flow'], ['react.dev/errors', 'react']];
const labels = new Map<string, Promise<string>>();
function label(url: string): Promise<string> {
  const file = url.split('/').pop()!.split(/[?#]/)[0]!;
  if (!labels.has(url)) {
    labels.set(url, fetch(url).then((r) => r.arrayBuffer()).then((buf) => {
      const text = /\.m?js$/.test(file) ? new TextDecoder().decode(buf) : '';
      const signs = [...(file.endsWith('.wasm') ? ['wasm*'] : []), ...SIGNS.filter(([k]) => text.includes(k)).map(([, v]) => v)];
      return `${file}${signs.length ? `[${signs.join(',')}]` : ''} ${(buf.byteLength / 1024).toFixed(0)}kB`;
    }, () => file));
  }
  return labels.get(url)!;
}

interface CpuProfile { nodes: Array<{ id: number; callFrame: { functionName: string; url: string } }>; samples: number[]; timeDeltas: number[] }

/**
 * One more cold run of ours, not timed with the rest (the profiler slows it): what loads after the
 * drop (* marks code only Run/Convert should need), when the worker answers, and where the main
 * thread's own time goes (CPU profile, self time by chunk).
 */
async function breakdown(browser: Browser, app: App, m: BenchModel): Promise<string> {
  const page = await freshPage(browser, app);
  const cdp = await page.context().newCDPSession(page);
  const loads: Array<Promise<[string, number]>> = [];
  page.on('requestfinished', (r) => loads.push(label(r.url()).then((name) => [name, r.timing().startTime])));
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 250 });
  await cdp.send('Profiler.start');
  const res = await dropAndWait(page, app, m.files, `${m.id.replace(/\W+/g, '_')}-breakdown`, 0);
  const { profile } = (await cdp.send('Profiler.stop')) as unknown as { profile: CpuProfile };
  await page.waitForTimeout(SETTLE);
  const info = await page.evaluate(() => {
    const b = (window as unknown as { __bench: { t0: number; t1: number; workers: Array<{ url: string; at: number; msgs: number[] }>;
      loaf: Array<{ start: number; dur: number; block: number; scripts: Array<[string, number]> }> } }).__bench;
    const dt = Array.from(document.querySelectorAll('dt')).find((e) => e.textContent === 'Opened in');
    return { origin: performance.timeOrigin, t0: b.t0, t1: b.t1, parse: dt?.nextElementSibling?.textContent ?? '?',
      // The worker that answered this open: a warm spare started before the drop, or a new one.
      workers: b.workers.filter((w) => w.msgs.some((t) => t >= b.t0)), loaf: b.loaf.filter((f) => f.start + f.dur >= b.t0 && f.start <= b.t1) };
  });
  await page.context().close();
  const out = [`breakdown ours ${m.id}: ${fmt(res.ms)} ms to visible in this profiled run`];
  const w = info.workers[0];
  if (w) {
    // The worker's first message is its first progress report, i.e. it has booted.
    const first = w.msgs.find((t) => t >= info.t0) ?? NaN, reply = w.msgs.filter((t) => t <= info.t1).pop() ?? NaN;
    const boot = w.at < info.t0 ? 'warm (started before the drop) | first message' : `drop->new Worker ${fmt(w.at - info.t0)} | worker boot (fetch+compile chunks)`;
    out.push(`  phases ms: ${boot} ${fmt(first - Math.max(w.at, info.t0))} | ` +
      `worker open ${fmt(reply - first)} (it reports ${info.parse}) | result->visible (main thread) ${fmt(info.t1 - reply)}`);
  }
  const dropAt = info.origin + info.t0;
  const after = (await Promise.all(loads)).filter(([, at]) => at >= dropAt - 1).sort((a, b) => a[1] - b[1]).map(([name, at]) => `${name} +${fmt(at - dropAt)}ms`);
  out.push(`  loaded after drop (${after.length}): ${after.join(' | ') || 'nothing'}`);
  // Self time by script (function names are minified, so the chunk is what tells); native
  // functions without a script (getBBox, GC, idle) under their own names.
  const self = new Map<string, number>();
  const byId = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  profile.samples.forEach((id, i) => {
    const f = byId.get(id)!, key = f.url || f.functionName || '(native)';
    self.set(key, (self.get(key) ?? 0) + (profile.timeDeltas[i + 1] ?? 0) / 1000);
  });
  const named = await Promise.all([...self].map(async ([k, ms]) => [/^https?:/.test(k) ? await label(k) : k, ms] as const));
  out.push(`  main thread self ms (drop..visible+poll): ${named.sort((a, b) => b[1] - a[1]).slice(0, 8).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(', ')}`);
  const frames = info.loaf.map((f) => `${fmt(f.dur)}ms@+${fmt(f.start - info.t0)} (${f.scripts.slice(0, 2).map(([n, d]) => `${n} ${fmt(d)}`).join('; ')})`);
  out.push(`  long animation frames > 50 ms: ${frames.join(' | ') || 'none'}`);
  return out.join('\n');
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const fmt = (ms: number) => (Number.isFinite(ms) ? ms.toFixed(0) : 'fail');

async function main(): Promise<void> {
  const netronSrc = ensureNetron();
  const onlyArg = flag('only');
  const { models, missing, tmp } = openModels(ROOT, onlyArg ? new RegExp(onlyArg) : undefined);
  if (missing.length) console.log(`skipped (files missing, run node scripts/fetch-models.mjs): ${missing.join(', ')}`);
  const netron = await serveStatic(netronSrc);
  const ours = await startOurs(ROOT, argv.find((a) => /^https?:\/\//.test(a)));
  const apps: Record<AppName, App> = {
    ours: {
      name: 'ours', url: ours.url, input: '[data-testid="file-input"]', probe: probe('ours'),
      // The page opens its default sample first: drop only once that is on screen.
      ready: async (page) => {
        await page.waitForFunction(() => Number(document.querySelector('.studio')?.getAttribute('data-load-seq')) >= 1, null, { timeout: 60_000 });
      },
    },
    netron: {
      name: 'netron', url: `${netron.url}index.html`, input: '#open-file-dialog', probe: probe('netron'),
      ready: async (page) => { await page.locator('#open-file-button').waitFor({ state: 'visible', timeout: 60_000 }); },
    },
  };
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    // No DNS outside this machine: neither app may reach the network while timed.
    args: ['--no-sandbox', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1'],
  });
  console.log(`ours ${ours.url} vs Netron ${netronVersion(netronSrc)} ${netron.url}; median of ${RUNS} cold runs each\n`);
  const ratios: Array<[string, number]> = [];
  const notes: string[] = [];
  try {
    for (const m of models) {
      const res: Record<AppName, RunResult[]> = { ours: [], netron: [] };
      // Alternate the apps run by run so drift on a shared machine hits both alike.
      for (let r = 0; r < RUNS; r++) for (const app of [apps.ours, apps.netron]) res[app.name].push(await runOnce(browser, app, m));
      const o = median(res.ours.map((x) => x.ms));
      const n = median(res.netron.map((x) => x.ms));
      const ratio = Number.isFinite(n) ? o / n : NaN; // Netron failing says nothing about us
      ratios.push([m.id, ratio]);
      const longest = Math.max(0, ...res.ours.map((x) => x.longest).filter(Number.isFinite));
      console.log(`${m.id.padEnd(44)} ours ${fmt(o).padStart(6)} ms  netron ${fmt(n).padStart(6)} ms  ratio ${Number.isFinite(ratio) ? ratio.toFixed(2) : 'n/a '}  longest task ${longest > 0 ? fmt(longest) : '<50'} ms`);
      for (const [a, rs] of Object.entries(res)) for (const x of rs) if (x.fail) notes.push(`${m.id} ${a}: ${x.fail.slice(0, 160)}`);
      if (argv.includes('--breakdown')) notes.push(await breakdown(browser, apps.ours, m));
    }
  } finally {
    await browser.close();
    netron.server.close();
    ours.child?.kill();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }
  const worst = ratios.filter(([, r]) => !Number.isNaN(r)).reduce<[string, number]>((w, x) => (x[1] > w[1] ? x : w), ['none', -Infinity]);
  console.log(`\nworst ratio ${Number.isFinite(worst[1]) ? worst[1].toFixed(2) : 'n/a'} (${worst[0]}); goal <= 0.50`);
  if (notes.length) console.log(`\n${notes.join('\n')}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
