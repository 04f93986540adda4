/**
 * The exported comparison report: HTML for people, CSV for spreadsheets, JSON for tools. Pure
 * string building, so the page, a worker and the CLI produce the same bytes.
 */
export { renderReport } from './html';
export { reportCsv, CSV_HEADERS } from './csv';
export { reportJson, parseReportJson, readReportData } from './json';
export { esc } from './escape';
