import { describe, expect, it } from 'vitest';
import type { ComparisonData } from '../compare/types';
import { paretoFrontier } from '../compare/pareto';
import { truncate } from './svg';
import { fmtBytes, fmtMs, fmtMsNumber, fmtPct, fmtRatio } from './format';
import { readReportData, renderReport } from './index';
import { HOSTILE, HOSTILE_ATTR, checkWellFormed, hostileData, sampleData } from './testing';

const decode = (s: string): string => s.replace(/<[^>]*>/g, '').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');

/** Table cell texts by variant id, then by data-k. */
function tableCells(html: string): Map<string, Map<string, string>> {
  const table = /<table class="variants">([\s\S]*?)<\/table>/.exec(html)![1]!;
  const out = new Map<string, Map<string, string>>();
  for (const row of table.matchAll(/<tr data-id="([^"]*)"[^>]*>([\s\S]*?)<\/tr>/g)) {
    const cells = new Map<string, string>();
    for (const c of row[2]!.matchAll(/<td data-k="([^"]*)"[^>]*>([\s\S]*?)<\/td>/g)) cells.set(c[1]!, decode(c[2]!));
    out.set(decode(row[1]!), cells);
  }
  return out;
}

/** Latest accuracy per variant, computed here independently of the report's own selection code. */
function latestAccuracy(d: ComparisonData, id: string): number | undefined {
  const evals = d.evals.filter((e) => e.variant === id && e.metrics.accuracy !== undefined).sort((a, b) => a.at - b.at);
  return evals.at(-1)?.metrics.accuracy;
}

describe('renderReport', () => {
  const data = sampleData();
  const html = renderReport(data);

  it('is one self-contained file: no URL, no external resource, no executable script', () => {
    for (const bad of ['http://', 'https://', 'src=', '<link', '@import', 'url(', 'href=', '<img', '<iframe', '<object', '<embed', 'xlink:']) {
      expect(html, bad).not.toContain(bad);
    }
    const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
    expect(scripts).toEqual(['<script type="application/json" id="report-data">']);
  });

  it('is well-formed (every tag closed in order, quoted attributes, no bare & or <)', () => {
    expect(checkWellFormed(html)).toBeGreaterThan(300);
    // The checker itself must reject what it claims to catch.
    expect(() => checkWellFormed('<!doctype html><p><b>x</p></b>')).toThrow(/closes/);
    expect(() => checkWellFormed('<!doctype html><p>a < b</p>')).toThrow(/stray/);
    expect(() => checkWellFormed('<!doctype html><p>a & b</p>')).toThrow(/bare &/);
    expect(() => checkWellFormed('<!doctype html><div/>')).toThrow(/self-closing/);
  });

  it('embeds the data as JSON that reads back deep-equal (Infinity included)', () => {
    expect(data.evals[0]!.metrics.sqnrDb).toBe(Infinity);
    expect(readReportData(html)).toEqual(data);
  });

  it('shows the header: model name, format, size, device and time', () => {
    expect(html).toContain('<h1>fashion-mnist-cnn.onnx</h1>');
    expect(html).toContain('<dd data-k="model-size">628 KB (628,412 B)</dd>');
    expect(html).toContain(`<dd data-k="device">${data.device}</dd>`);
    expect(html).toContain('2025-06-03 09:45 UTC');
  });

  it('every number in the table is the formatted value of the data', () => {
    const cells = tableCells(html);
    expect([...cells.keys()]).toEqual(data.variants.map((v) => v.id));
    const pairs = ['litert', 'ort', 'tfjs'].filter((r) => data.latencies.some((l) => l.runtime === r));
    // Columns follow first-measured order: ort (original), litert (v1), tfjs.
    const order = ['ort', 'litert', 'tfjs'];
    expect(pairs.sort()).toEqual([...order].sort());
    for (const v of data.variants) {
      const c = cells.get(v.id)!;
      expect(c.get('raw')).toBe(fmtBytes(v.bytes));
      expect(c.get('gzip')).toBe(fmtBytes(v.gzipBytes));
      expect(c.get('ratio')).toBe(`${fmtRatio(v.bytes / 628_412)} / ${fmtRatio(v.gzipBytes / 581_230)}`);
      const acc = latestAccuracy(data, v.id);
      expect(c.get('quality')).toBe(acc === undefined ? '—' : fmtPct(acc));
      order.forEach((runtime, i) => {
        const l = data.latencies.find((x) => x.variant === v.id && x.runtime === runtime);
        expect(c.get(`lat-${i}`), `${v.id} ${runtime}`).toBe(l ? `${fmtMs(l.medianMs)} (p90 ${fmtMsNumber(l.p90Ms)})` : '—');
      });
    }
    // And the formatting is the one asked for, spelled out for the int8 row.
    const int8 = cells.get('v3')!;
    expect(int8.get('quality')).toBe('89.82%'); // the latest eval (LiteRT.js), not the earlier tfjs estimate
    expect(int8.get('raw')).toBe('161 KB');
    expect(int8.get('ratio')).toBe('0.26x / 0.24x');
    expect(int8.get('lat-1')).toBe('0.291 ms (p90 0.337)');
    expect(int8.get('lat-2')).toBe('1.62 ms (p90 2.05)');
    expect(int8.get('check')).toBe('✓ loads and runsLiteRT.js, tfjs-tflite and Arm NN agree');
    expect(cells.get('v5')!.get('check')).toMatch(/^✗ failed/);
    expect(cells.get('v4')!.get('check')).toBe('not checked');
  });

  it('draws one labelled point per evaluated variant, and the frontier is exactly paretoFrontier', () => {
    const chart = /<svg class="chart chart-size"[\s\S]*?<\/svg>/.exec(html)![0];
    const pts = [...chart.matchAll(/<g class="pt" data-id="([^"]*)"( data-frontier="1")?>[\s\S]*?<circle cx="([\d.]+)" cy="([\d.]+)"[\s\S]*?<text[^>]*>([^<]*)<\/text>/g)];
    expect(pts.map((p) => p[1])).toEqual(data.variants.map((v) => v.id));
    expect(pts.map((p) => decode(p[5]!))).toEqual(data.variants.map((v) => truncate(v.label, 30)));
    expect(chart).toContain('<title>pruned 50% (global magnitude) (v4): 628 KB, 90.24%, on the Pareto frontier</title>');
    const expected = paretoFrontier(data.variants.map((v) => ({ id: v.id, size: v.bytes, accuracy: latestAccuracy(data, v.id)! }))).map((p) => p.id);
    expect(expected).toEqual(['v3', 'v5', 'v2', 'v4']);
    expect(pts.filter((p) => p[2]).map((p) => p[1]).sort()).toEqual([...expected].sort());
    // The step line passes through every frontier point, in size order.
    const d = /<path class="frontier" d="([^"]*)"/.exec(chart)![1]!;
    const vertices = [...d.matchAll(/[ML]([\d.]+),([\d.]+)/g)].map((m) => `${m[1]},${m[2]}`);
    const frontierXY = expected.map((id) => { const p = pts.find((q) => q[1] === id)!; return `${p[3]},${p[4]}`; });
    expect(vertices.filter((v) => frontierXY.includes(v))).toEqual(frontierXY);
    // Larger files sit further right on the log axis.
    const cx = (id: string): number => Number(pts.find((p) => p[1] === id)![3]);
    expect(cx('v3')).toBeLessThan(cx('v5'));
    expect(cx('v5')).toBeLessThan(cx('v2'));
    expect(cx('v2')).toBeLessThan(cx('v4'));
  });

  it('log size axis ticks are readable sizes inside the plotted range', () => {
    const chart = /<svg class="chart chart-size"[\s\S]*?<\/svg>/.exec(html)![0];
    const ticks = [...chart.matchAll(/<text[^>]*text-anchor="middle">(\d+(?:\.\d+)? [KM]?B)<\/text>/g)].map((m) => m[1]);
    expect(ticks.length).toBeGreaterThanOrEqual(3);
    expect(ticks).toContain('200 KB');
    expect(ticks).toContain('500 KB');
  });

  it('draws a latency bar with a p90 whisker per measurement', () => {
    const chart = /<svg class="chart chart-latency"[\s\S]*?<\/svg>/.exec(html)![0];
    const bars = [...chart.matchAll(/<g class="bar" data-pair="[^"]*" data-median="([^"]*)" data-p90="([^"]*)">/g)];
    expect(bars.length).toBe(data.latencies.length);
    expect(bars.map((b) => Number(b[1])).sort()).toEqual(data.latencies.map((l) => l.medianMs).sort());
  });

  it('draws per-layer SQNR in graph order for each variant with layer errors, the worst marked', () => {
    for (const [id, errors] of Object.entries(data.layerErrors)) {
      const section = new RegExp(`<h3 id="layers-${id}">[\\s\\S]*?</figure>`).exec(html)![0];
      const bars = [...section.matchAll(/<rect class="layer" data-i="(\d+)" data-node="([^"]*)" data-sqnr="([^"]*)"( data-worst="1")?/g)];
      expect(bars.map((b) => decode(b[2]!))).toEqual(errors.map((e) => e.node));
      const worst = errors.reduce((w, e, i) => (e.sqnrDb < errors[w]!.sqnrDb ? i : w), 0);
      expect(bars.filter((b) => b[4]).map((b) => Number(b[1]))).toEqual([worst]);
    }
    expect(html).toContain('Worst layer: dense1 (tfl.FULLY_CONNECTED), 26.4 dB.');
    expect(html).toContain('Worst layer: /fc1/Gemm (onnx.Gemm), 25.1 dB.');
  });

  it('puts each recipe in a <details> as JSON', () => {
    const details = [...html.matchAll(/<details data-id="([^"]*)">[\s\S]*?<pre>([\s\S]*?)<\/pre><\/details>/g)];
    expect(details.map((m) => m[1])).toEqual(data.variants.map((v) => v.id));
    details.forEach((m, i) => expect(JSON.parse(decode(m[2]!))).toEqual(data.variants[i]!.recipe));
  });

  it('renders an empty comparison (nothing measured yet) without charts, still well-formed', () => {
    const empty: ComparisonData = { ...data, evals: [], latencies: [], layerErrors: {} };
    const h = renderReport(empty);
    checkWellFormed(h);
    expect(h).not.toContain('chart-size');
    expect(h).toContain('No latency has been measured yet.');
    expect(readReportData(h)).toEqual(empty);
  });

  it('without labels ranks by top-1 agreement, and by SQNR when outputs are not class scores', () => {
    const noLabels = sampleData();
    for (const e of noLabels.evals) delete e.metrics.accuracy;
    let h = renderReport(noLabels);
    expect(tableCells(h).get('v3')!.get('quality')).toBe('99.50%');
    expect(h).toContain('top-1 agreement with the float model (%)');
    for (const e of noLabels.evals) delete e.metrics.top1Agreement;
    h = renderReport(noLabels);
    checkWellFormed(h);
    expect(tableCells(h).get('v3')!.get('quality')).toBe('28.4 dB');
    expect(tableCells(h).get('original')!.get('quality')).toBe('∞ dB');
  });
});

describe('renderReport with hostile strings', () => {
  const data = hostileData();
  const html = renderReport(data);

  it('leaves every injected tag and attribute inert', () => {
    checkWellFormed(html);
    expect(html).not.toContain(HOSTILE);
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<svg onload');
    expect(html).not.toContain('<i>');
    // No element got an event-handler attribute (escaped text inside attribute values is fine).
    for (const tag of html.matchAll(/<[a-zA-Z][a-zA-Z0-9-]*((?:\s+[-\w:.]+(?:="[^"]*")?)*)\s*\/?>/g)) {
      for (const a of tag[1]!.matchAll(/\s([-\w:.]+)(?:="[^"]*")?/g)) expect(a[1]!.toLowerCase().startsWith('on'), tag[0]).toBe(false);
    }
    expect([...html.matchAll(/<script\b/g)].length).toBe(1);
    expect([...html.matchAll(/<\/script/gi)].length).toBe(1);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain(`<title>${'&lt;script&gt;alert(1)&lt;/script&gt;.onnx'} · Edge Model Studio report</title>`);
    expect(html).toContain('&quot; onmouseover=&quot;alert(2)&quot; x=&quot;');
  });

  it('still reads the same data back out of the JSON element', () => {
    expect(readReportData(html)).toEqual(data);
    const node = data.layerErrors.v3![2]!.node;
    expect(node).toBe(HOSTILE);
    expect(html).toContain(`data-node="&lt;script&gt;alert(1)&lt;/script&gt;"`);
    expect(html).toContain(HOSTILE_ATTR.replace(/"/g, '&quot;'));
  });
});
