/**
 * The exported comparison report: one self-contained HTML file (inline CSS and SVG, no script
 * that runs, no URL of any kind) that opens offline from disk and prints cleanly. Every string
 * from the data goes through `esc`; the raw data rides along as inert JSON for tools.
 */
import type { ComparisonData, VariantSummary } from '../compare/types';
import { latencyChart } from './chart-latency';
import { layerChart, worstLayer } from './chart-layers';
import { sizeChart } from './chart-size';
import { QUALITY, int8Findings, latencyOf, latencyPairs, pairName, pickEval, qualityKind, runtimeName, sizeRatios, type Int8Finding, type QualityKind } from './derive';
import { esc, jsonForScript, slug } from './escape';
import { fmtBytes, fmtDate, fmtDb, fmtInt, fmtMs, fmtMsNumber, fmtRatio } from './format';
import { jsonReplacer } from './json';
import { CSS } from './style';

const td = (k: string, inner: string, cls = ''): string => `<td data-k="${k}"${cls ? ` class="${cls}"` : ''}>${inner}</td>`;

function header(data: ComparisonData): string {
  const m = data.model;
  return `<header><p class="kicker">Edge Model Studio · comparison report</p><h1>${esc(m.name)}</h1><dl class="meta">`
    + `<dt>Format</dt><dd data-k="model-format">${esc(m.format)}</dd>`
    + `<dt>Size</dt><dd data-k="model-size">${esc(fmtBytes(m.bytes))} (${esc(fmtInt(m.bytes))} B)</dd>`
    + `<dt>Device</dt><dd data-k="device">${esc(data.device || 'not recorded')}</dd>`
    + `<dt>Generated</dt><dd data-k="generated"><time datetime="${esc(data.generatedAt)}">${esc(fmtDate(data.generatedAt))}</time></dd>`
    + `<dt>Variants</dt><dd>${data.variants.length}</dd></dl></header>`;
}

function checkCell(v: VariantSummary): string {
  const c = v.exportCheck;
  if (!c) return td('check', '<span class="p90">not checked</span>');
  const detail = c.detail ? `<span class="detail">${esc(c.detail)}</span>` : '';
  return td('check', `<span class="${c.ok ? 'ok' : 'bad'}">${c.ok ? '✓ loads and runs' : '✗ failed'}</span>${detail}`);
}

function variantsTable(data: ComparisonData, kind: QualityKind | undefined): string {
  const pairs = latencyPairs(data);
  const q = kind ? QUALITY[kind] : undefined;
  const head = ['<th>id</th><th>label</th><th>mode</th><th>format</th><th class="num">size</th><th class="num">gzip</th>',
    '<th class="num">vs original<br>raw / gzip</th>', `<th class="num">${esc(q?.title ?? 'quality')}</th>`,
    ...pairs.map((p) => `<th class="num">${esc(pairName(p))}<br>median (p90)</th>`), '<th>export check</th>'].join('');
  const rows = data.variants.map((v) => {
    const r = sizeRatios(data, v);
    const e = kind ? pickEval(data, v.id, kind) : undefined;
    const quality = e && q ? `<span title="${esc(`${e.dataset} · ${runtimeName(e.runtime)} · ${e.backend}`)}">${esc(q.format(e.metrics[kind!]!))}</span>` : '—';
    const lat = pairs.map((p, i) => {
      const l = latencyOf(data, v.id, p);
      return td(`lat-${i}`, l ? `${esc(fmtMs(l.medianMs))} <span class="p90">(p90 ${esc(fmtMsNumber(l.p90Ms))})</span>` : '—', 'num');
    });
    return `<tr data-id="${esc(v.id)}"${v.id === 'original' ? ' class="original"' : ''}>${td('id', esc(v.id), 'id')}${td('label', esc(v.label))}${td('mode', esc(v.mode))}${td('format', esc(v.format))}`
      + `${td('raw', esc(fmtBytes(v.bytes)), 'num')}${td('gzip', esc(fmtBytes(v.gzipBytes)), 'num')}${td('ratio', `${esc(fmtRatio(r.raw))} / ${esc(fmtRatio(r.gzip))}`, 'num')}`
      + `${td('quality', quality, 'num')}${lat.join('')}${checkCell(v)}</tr>`;
  });
  return `<div class="table-wrap"><table class="variants"><thead><tr>${head}</tr></thead><tbody>${rows.join('')}</tbody></table></div>`;
}

function qualityNote(data: ComparisonData, kind: QualityKind | undefined): string {
  if (!kind) return '<p class="note">No variant has been evaluated yet: no accuracy, agreement or SQNR to show.</p>';
  const sets = [...new Set(data.evals.filter((e) => typeof e.metrics[kind] === 'number').map((e) => `${e.dataset} (${runtimeName(e.runtime)} · ${e.backend})`))];
  const what = kind === 'accuracy' ? 'Top-1 accuracy against labels' : kind === 'top1Agreement' ? 'Share of samples whose top-1 class matches the float model (no labels)' : 'Signal-to-quantization-noise ratio of the outputs against the float model (no labels, not a classifier)';
  return `<p class="note">${esc(what)}, measured on ${sets.map(esc).join('; ')}. Latest measurement per variant. Sizes in decimal units (1 KB = 1,000 B).</p>`;
}

function sizeSection(data: ComparisonData, kind: QualityKind | undefined): string {
  if (!kind) return '';
  const c = sizeChart(data, kind);
  const missing = c.unplotted.length ? ` Not evaluated, so not drawn: ${c.unplotted.map((v) => esc(`${v.label} (${v.id})`)).join(', ')}.` : '';
  return `<section id="size-quality"><h2>${esc(QUALITY[kind].title)} vs size</h2><figure>${c.svg}<figcaption>Filled points are on the Pareto frontier (the step line): no other variant is both no larger and no less ${kind === 'sqnrDb' ? 'faithful' : 'accurate'}. Frontier: ${c.frontier.map(esc).join(' → ')}.${missing}</figcaption></figure></section>`;
}

function findingSentence(f: Int8Finding): string {
  const ratio = f.floatMs > 0 ? ` (${(f.int8Ms / f.floatMs).toFixed(2)}x the float time)` : '';
  return `The int8 variant “${f.int8.label}” (${f.int8.id}) is not faster than the float “${f.float.label}” (${f.float.id}) on ${pairName(f.pair)}: median ${fmtMs(f.int8Ms)} vs ${fmtMs(f.floatMs)}${ratio}.`;
}

function latencySection(data: ComparisonData): string {
  const c = latencyChart(data);
  if (!c) return '<section id="latency"><h2>Latency</h2><p class="note">No latency has been measured yet.</p></section>';
  const { compared, slow } = int8Findings(data);
  const findings = slow.map((f) => `<p class="finding int8-slow">${esc(findingSentence(f))}</p>`).join('')
    || (compared.length ? `<p class="finding good">Every int8 variant is faster than its float model on each runtime both were measured on (${compared.length} comparison${compared.length > 1 ? 's' : ''}).</p>` : '');
  const devices = [...new Set(data.latencies.map((l) => l.device).filter(Boolean))];
  const none = c.unmeasured.length ? ` Not measured: ${c.unmeasured.map((v) => esc(`${v.label} (${v.id})`)).join(', ')}.` : '';
  return `<section id="latency"><h2>Latency</h2><figure>${c.svg}<figcaption>Median of the timed runs after warm-up; the whisker reaches the 90th percentile. Measured on ${devices.map(esc).join('; ') || 'an unrecorded device'}.${none}</figcaption></figure>${findings}</section>`;
}

function layersSection(data: ComparisonData): string {
  const order = [...data.variants.map((v) => v.id), ...Object.keys(data.layerErrors).filter((id) => !data.variants.some((v) => v.id === id))];
  const parts = order.flatMap((id) => {
    const errors = data.layerErrors[id];
    if (!errors?.length) return [];
    const v = data.variants.find((x) => x.id === id);
    const label = v ? v.label : id;
    const w = errors[worstLayer(errors)];
    const lowest = errors.map((e) => e).filter((e) => !Number.isNaN(e.sqnrDb)).sort((a, b) => a.sqnrDb - b.sqnrDb).slice(0, 5);
    const caption = w ? `Worst layer: ${w.node} (${w.op}), ${fmtDb(w.sqnrDb)}. Lowest ${lowest.length}: ${lowest.map((e) => `${e.node} ${fmtDb(e.sqnrDb)}`).join(', ')}.` : '';
    return [`<h3 id="layers-${esc(slug(id))}">${esc(label)} <span class="p90">(${esc(id)}${v ? ` · ${esc(v.mode)}` : ''} · ${errors.length} layers)</span></h3><figure>${layerChart(label, errors)}<figcaption>${esc(caption)}</figcaption></figure>`];
  });
  if (!parts.length) return '';
  return `<section id="layers"><h2>Per-layer error</h2><p class="note">SQNR of each node's first output against the float model's tensor of the same name, in graph order. Low values mark where quantization loses the signal.</p>${parts.join('')}</section>`;
}

function recipesSection(data: ComparisonData): string {
  const items = data.variants.map((v) => `<details data-id="${esc(v.id)}"><summary>${esc(v.label)} <span class="muted">${esc(v.id)} · ${esc(v.mode)} · ${esc(v.fileName)}</span></summary>`
    + `<pre>${esc(JSON.stringify(v.recipe, jsonReplacer, 2))}</pre></details>`);
  return `<section id="recipes"><h2>Recipes</h2><p class="note">The transforms and options that made each variant; replaying a recipe gives the same bytes (calibration data aside).</p>${items.join('')}</section>`;
}

export function renderReport(data: ComparisonData): string {
  const kind = qualityKind(data);
  return '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
    // Belt and braces: even a string that slipped past escaping could fetch or run nothing.
    + `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`
    + '<meta name="viewport" content="width=device-width, initial-scale=1">'
    + `<title>${esc(`${data.model.name} · Edge Model Studio report`)}</title><style>${CSS}</style></head><body><main>`
    + header(data)
    + `<section id="variants"><h2>Variants</h2>${variantsTable(data, kind)}${qualityNote(data, kind)}</section>`
    + sizeSection(data, kind) + latencySection(data) + layersSection(data) + recipesSection(data)
    + `<footer>Generated ${esc(fmtDate(data.generatedAt))} by Edge Model Studio. Nothing in this file loads from the network. The raw numbers are embedded as JSON (element #report-data).</footer>`
    + `</main><script type="application/json" id="report-data">${jsonForScript(data, jsonReplacer)}</script></body></html>\n`;
}
