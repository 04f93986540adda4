/**
 * The report's only stylesheet. System fonts only (a web font would be a network fetch); print
 * rules keep colours, avoid splitting a chart across pages and show the folded recipes.
 */
export const CSS = `
:root { color-scheme: light; --fg: #111827; --muted: #6b7280; --line: #e5e7eb; --accent: #D55E00; --blue: #0072B2; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { margin: 0; color: var(--fg); background: #fff; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1080px; margin: 0 auto; padding: 28px 28px 48px; }
header { border-bottom: 2px solid var(--fg); padding-bottom: 14px; margin-bottom: 8px; }
.kicker { margin: 0; color: var(--muted); font-size: 12px; letter-spacing: .06em; text-transform: uppercase; }
h1 { margin: 2px 0 10px; font-size: 26px; line-height: 1.2; overflow-wrap: anywhere; }
h2 { margin: 30px 0 8px; font-size: 18px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
h3 { margin: 18px 0 4px; font-size: 14px; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 0; font-size: 13px; }
dl.meta dt { color: var(--muted); }
dl.meta dd { margin: 0; overflow-wrap: anywhere; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: 12.5px; font-variant-numeric: tabular-nums; }
th, td { padding: 5px 8px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
th { font-weight: 600; font-size: 11.5px; color: var(--muted); border-bottom: 1.5px solid #9ca3af; white-space: nowrap; }
td.num, th.num { text-align: right; white-space: nowrap; }
td.id { font-family: ui-monospace, "SF Mono", Menlo, Consolas, monospace; font-size: 12px; }
tr.original td { background: #f9fafb; }
.ok { color: #047857; font-weight: 600; }
.bad { color: #b91c1c; font-weight: 600; }
.detail { display: block; color: var(--muted); font-size: 11px; max-width: 220px; }
.p90 { color: var(--muted); }
.note, figcaption { color: var(--muted); font-size: 12.5px; margin: 6px 0 0; }
figure { margin: 10px 0 0; break-inside: avoid; page-break-inside: avoid; }
svg.chart { display: block; max-width: 100%; height: auto; font-family: inherit; }
.finding { margin: 8px 0 0; padding: 7px 10px; border-left: 4px solid var(--accent); background: #fff7ed; font-size: 13px; }
.finding.good { border-left-color: #009E73; background: #ecfdf5; }
details { border: 1px solid var(--line); border-radius: 4px; margin: 6px 0; padding: 6px 10px; }
summary { cursor: pointer; font-weight: 600; font-size: 13px; }
summary .muted { font-weight: 400; color: var(--muted); }
pre { margin: 8px 0 2px; padding: 8px 10px; background: #f3f4f6; border-radius: 3px; overflow-x: auto; font: 11.5px/1.4 ui-monospace, "SF Mono", Menlo, Consolas, monospace; white-space: pre-wrap; overflow-wrap: anywhere; }
footer { margin-top: 36px; color: var(--muted); font-size: 11.5px; border-top: 1px solid var(--line); padding-top: 8px; }
@page { margin: 14mm 12mm; }
@media print {
  body { font-size: 11pt; }
  main { max-width: none; padding: 0; }
  h2 { break-after: avoid; page-break-after: avoid; }
  table { font-size: 9pt; }
  tr { break-inside: avoid; }
  .table-wrap { overflow: visible; }
  details { border: none; padding: 0; }
  details > summary { list-style: none; }
  details::details-content { content-visibility: visible; display: block; }
}
`;
