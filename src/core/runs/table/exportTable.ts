// The visible table as CSV (RFC 4180) or Markdown: the visible columns, in their order,
// and the visible runs (a collapsed group's runs are not visible; group rows are not runs).
import { cellValue, type TableColumn, type TableRun } from './columns';
import { exportLabel, exportText } from './cellText';
import type { ViewRow } from './tableView';

function exportGrid(runs: readonly TableRun[], columns: readonly TableColumn[], rows: readonly ViewRow[], now: number): string[][] {
  const out = [columns.map(exportLabel)];
  for (const r of rows) if (r.kind === 'run') out.push(columns.map((c) => exportText(c, cellValue(runs[r.run], c, now))));
  return out;
}

/** RFC 4180: a field with a comma, a quote, CR or LF is quoted and its quotes doubled; lines end in CRLF. */
export function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(grid: readonly (readonly string[])[]): string {
  return grid.map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n';
}

/** A Markdown table cell: pipes and backslashes escaped, line breaks as `<br>` (a cell is one line). */
export function markdownCell(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r\n|\r|\n/g, '<br>');
}

export function toMarkdown(grid: readonly (readonly string[])[]): string {
  const [head = [], ...body] = grid;
  if (!head.length) return '';
  const line = (row: readonly string[]) => `| ${row.map(markdownCell).join(' | ')} |`;
  return [line(head), `|${head.map(() => ' --- ').join('|')}|`, ...body.map(line)].join('\n') + '\n';
}

export function exportTable(format: 'csv' | 'markdown', runs: readonly TableRun[], columns: readonly TableColumn[], rows: readonly ViewRow[], now: number): string {
  const grid = exportGrid(runs, columns, rows, now);
  return format === 'csv' ? toCsv(grid) : toMarkdown(grid);
}
