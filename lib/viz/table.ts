/**
 * Tables of results: danfo DataFrames or arrays of plain records, as HTML in notebooks and
 * reports and as aligned text in a terminal.
 */
import { inNotebook, showBundle } from "./display";
import { escapeHtml } from "./html";

/**
 * What tables read from a danfo DataFrame or Series (duck-typed, so viz does not load danfo):
 * a DataFrame's values are rows, a Series' values single cells.
 */
export interface DataFrameLike {
  readonly columns: readonly string[];
  readonly values: readonly unknown[];
}

/** One row keyed by column name; rows may lack columns others have. */
export type TableRecord = Readonly<Record<string, unknown>>;

export type TableInput = DataFrameLike | readonly TableRecord[];

export interface TableOptions {
  readonly caption?: string;
  /** Show only the first rows and say how many were left out (all rows when absent). */
  readonly maxRows?: number;
}

/** Column names and formatted cells, the common form of every input. */
interface TableCells {
  readonly columns: string[];
  readonly rows: string[][];
  /** Per column: right-align (all its non-empty cells are numbers). */
  readonly numeric: boolean[];
  readonly omittedRows: number;
}

/** A cell as text: short numbers, blank for missing, JSON for structures. */
export function formatCell(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "number") return formatNumber(value);
  if (typeof value === "string") return value;
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

function formatNumber(value: number): string {
  if (!Number.isFinite(value) || Number.isInteger(value)) return String(value);
  if (Math.abs(value) >= 1000) return value.toFixed(1);
  return String(Number(value.toPrecision(4)));
}

function isDataFrame(input: TableInput): input is DataFrameLike {
  return !Array.isArray(input);
}

function rawRows(input: TableInput): { columns: string[]; rows: unknown[][] } {
  if (isDataFrame(input)) {
    return { columns: [...input.columns], rows: input.values.map((row) => (Array.isArray(row) ? [...row] : [row])) };
  }
  const records = input as readonly TableRecord[];
  const columns = [...new Set(records.flatMap((record) => Object.keys(record)))];
  return { columns, rows: records.map((record) => columns.map((column) => record[column])) };
}

function tableCells(input: TableInput, maxRows = Infinity): TableCells {
  const { columns, rows } = rawRows(input);
  const shown = rows.slice(0, maxRows);
  const numeric = columns.map((_, c) =>
    shown.some((row) => typeof row[c] === "number") &&
    shown.every((row) => typeof row[c] === "number" || row[c] === null || row[c] === undefined),
  );
  return { columns, rows: shown.map((row) => row.map(formatCell)), numeric, omittedRows: rows.length - shown.length };
}

function omittedNote(count: number): string {
  return `… ${count} more row${count === 1 ? "" : "s"}`;
}

/** An HTML `<table>`; every cell and the caption escaped. */
export function tableHtml(input: TableInput, options: TableOptions = {}): string {
  return htmlOf(tableCells(input, options.maxRows), options);
}

function htmlOf(cells: TableCells, options: TableOptions): string {
  const align = (c: number) => (cells.numeric[c] ? ' style="text-align:right"' : "");
  const caption = options.caption === undefined ? "" : `<caption>${escapeHtml(options.caption)}</caption>`;
  const head = `<thead><tr>${cells.columns.map((name, c) => `<th${align(c)}>${escapeHtml(name)}</th>`).join("")}</tr></thead>`;
  const body = cells.rows
    .map((row) => `<tr>${row.map((cell, c) => `<td${align(c)}>${escapeHtml(cell)}</td>`).join("")}</tr>`)
    .join("\n");
  const foot =
    cells.omittedRows > 0
      ? `<tfoot><tr><td colspan="${cells.columns.length}">${escapeHtml(omittedNote(cells.omittedRows))}</td></tr></tfoot>`
      : "";
  return `<table class="nasbook-table">${caption}${head}<tbody>\n${body}\n</tbody>${foot}</table>`;
}

/** Columns padded to line up in a monospaced terminal; numbers right-aligned. */
export function tableText(input: TableInput, options: TableOptions = {}): string {
  return textOf(tableCells(input, options.maxRows), options);
}

function textOf(cells: TableCells, options: TableOptions): string {
  const widths = cells.columns.map((name, c) => Math.max(name.length, ...cells.rows.map((row) => row[c].length)));
  const line = (row: string[]) =>
    row.map((cell, c) => (cells.numeric[c] ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))).join("  ").trimEnd();
  const lines = [line(cells.columns), widths.map((width) => "-".repeat(width)).join("  "), ...cells.rows.map(line)];
  if (options.caption !== undefined) lines.unshift(options.caption);
  if (cells.omittedRows > 0) lines.push(omittedNote(cells.omittedRows));
  return lines.join("\n");
}

/** Shows a table as a notebook output (HTML with a text fallback); in a terminal prints the text. */
export function showTable(input: TableInput, options: TableOptions = {}): void {
  // Formatted once, rendered twice.
  const cells = tableCells(input, options.maxRows);
  if (inNotebook()) showBundle({ "text/html": htmlOf(cells, options), "text/plain": textOf(cells, options) });
  else console.log(textOf(cells, options));
}
