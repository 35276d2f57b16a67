// Reading an operator's summary table from the file it keeps it in: an Excel workbook (XLSX: its first
// worksheet) or a CSV file. Either way the first non-empty row holds the headers, and each further row
// becomes its cells by header, with the row number a person sees in the sheet (or the line in the file).
import ExcelJS from 'exceljs';
import { normaliseHeader, type RawSummaryRow } from '../domain/operator-summary.ts';
import { ClearwayError } from '../domain/problems.ts';
import { readRows } from './csv.ts';

export type SummaryFormat = 'xlsx' | 'csv';

export const XLSX_MEDIA_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export interface SummaryFile {
  bytes: Buffer;
  fileName?: string;
  contentType?: string;
}

export interface SummaryTable {
  format: SummaryFormat;
  headerLine: number;
  headers: string[];
  rows: RawSummaryRow[];
}

// A file is what its bytes say before what its name says: an XLSX workbook is a zip file ("PK"), an old
// Excel 97-2003 workbook an OLE file; anything else is read as CSV text.
const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
const OLE_MAGIC = Buffer.from([0xd0, 0xcf, 0x11, 0xe0]);

export function summaryFormatOf(file: SummaryFile): SummaryFormat {
  if (file.bytes.subarray(0, 4).equals(ZIP_MAGIC)) return 'xlsx';
  if (file.bytes.subarray(0, 4).equals(OLE_MAGIC)) {
    throw new ClearwayError('file.unknown-format', 'This is an Excel 97-2003 workbook (.xls): save it as an Excel workbook (.xlsx) or as CSV', 422);
  }
  if (file.fileName?.toLowerCase().endsWith('.xlsx') || file.contentType?.startsWith(XLSX_MEDIA_TYPE)) return 'xlsx';
  return 'csv';
}

// A monthly summary is a few kilobytes: these bounds refuse a file built to exhaust the server (a cell in
// the last of 16,384 columns, millions of rows, or a zip that inflates a thousandfold) before it is read.
const MAX_FILE_BYTES = 5 * 1024 * 1024;
const MAX_UNZIPPED_BYTES = 32 * 1024 * 1024;
const MAX_COLUMNS = 32;
export const MAX_SUMMARY_ROWS = 100_000;

/**
 * The total uncompressed size the zip's central directory declares. A guard read before the workbook is
 * inflated: entries are listed at the end of the file with their sizes (APPNOTE 4.3.12 and 4.3.16).
 */
function declaredUnzippedBytes(zip: Buffer): number | null {
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (end < 0 || end + 22 > zip.length) return null;
  const entries = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  let total = 0;
  for (let i = 0; i < entries; i++) {
    if (at + 46 > zip.length || zip.readUInt32LE(at) !== 0x02014b50) return null;
    const size = zip.readUInt32LE(at + 24);
    // 0xFFFFFFFF: the real size is in a zip64 field; no summary needs one.
    if (size === 0xffffffff) return Number.POSITIVE_INFINITY;
    total += size;
    at += 46 + zip.readUInt16LE(at + 28) + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
  }
  return total;
}

const tooLarge = (what: string) =>
  new ClearwayError('file.too-large', `The summary is too large (${what}): a monthly summary has one row per province, month and kind`, 422);

type CellValue = string | number | Date | undefined;

/** A cell as its value: formulas give their result, rich text its text, a hyperlink its text. */
function cellValue(value: unknown): CellValue {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'string' || typeof value === 'number' || value instanceof Date) return value;
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'object') {
    const v = value as { result?: unknown; richText?: { text: string }[]; text?: unknown; error?: unknown };
    if ('result' in v) return cellValue(v.result);
    if (Array.isArray(v.richText)) return v.richText.map((part) => part.text).join('');
    if (typeof v.text === 'string') return v.text;
    if (v.error !== undefined) return String(v.error);
  }
  return String(value);
}

const isBlank = (value: CellValue): boolean => value === undefined || (typeof value === 'string' && value.trim() === '');

function tableOf(format: SummaryFormat, lines: { line: number; values: CellValue[] }[]): SummaryTable {
  const filled = lines.filter((l) => l.values.some((v) => !isBlank(v)));
  const header = filled[0];
  if (!header) throw new ClearwayError('file.empty', 'The summary holds no rows: the first row names the columns province, month, kind, released_m2', 422);
  const headers = header.values.map(normaliseHeader);
  const rows = filled.slice(1).map(({ line, values }): RawSummaryRow => {
    const cells: Record<string, unknown> = {};
    // The first column of a name wins; a repeated header is reported by the header check.
    headers.forEach((name, i) => {
      if (name && !(name in cells)) cells[name] = values[i];
    });
    return { line, cells };
  });
  return { format, headerLine: header.line, headers, rows };
}

async function readXlsx(bytes: Buffer): Promise<SummaryTable> {
  const unzipped = declaredUnzippedBytes(bytes);
  if (unzipped === null) throw new ClearwayError('file.malformed', 'The file is not an Excel workbook (.xlsx) that can be read: its zip directory is damaged', 422);
  if (unzipped > MAX_UNZIPPED_BYTES) throw tooLarge(`it unpacks to more than ${MAX_UNZIPPED_BYTES / 1024 / 1024} MB`);
  const workbook = new ExcelJS.Workbook();
  try {
    // exceljs declares its own Buffer type (an ArrayBuffer); it reads Node's Buffer, as its documentation shows.
    await workbook.xlsx.load(bytes as unknown as Parameters<typeof workbook.xlsx.load>[0]);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new ClearwayError('file.malformed', `The file is not an Excel workbook (.xlsx) that can be read: ${why.slice(0, 200)}`, 422);
  }
  const sheet = workbook.worksheets[0];
  if (!sheet) throw new ClearwayError('file.malformed', 'The workbook has no worksheet', 422);
  if (sheet.actualRowCount > MAX_SUMMARY_ROWS + 1) throw tooLarge(`${sheet.actualRowCount} rows`);
  const lines: { line: number; values: CellValue[] }[] = [];
  sheet.eachRow({ includeEmpty: false }, (row, line) => {
    // Only the cells there are, and only in the first columns: a summary needs four.
    const values: CellValue[] = [];
    row.eachCell({ includeEmpty: false }, (cell, column) => {
      if (column <= MAX_COLUMNS) values[column - 1] = cellValue(cell.value);
    });
    lines.push({ line, values: Array.from(values) });
  });
  return tableOf('xlsx', lines);
}

function readCsvTable(bytes: Buffer): SummaryTable {
  try {
    const rows = readRows(bytes.toString('utf8'));
    if (rows.length > MAX_SUMMARY_ROWS + 1) throw tooLarge(`${rows.length} lines`);
    return tableOf('csv', rows.map(({ record, info }) => ({ line: info.lines, values: record.slice(0, MAX_COLUMNS) })));
  } catch (error) {
    // A file that cannot be read is the request's content at fault (422), as for the XLSX reader.
    if (error instanceof ClearwayError && error.status === 400) throw new ClearwayError(error.code, error.message, 422, error.details);
    throw error;
  }
}

export async function readSummaryTable(file: SummaryFile): Promise<SummaryTable> {
  if (file.bytes.length === 0) throw new ClearwayError('file.empty', 'The file is empty', 422);
  if (file.bytes.length > MAX_FILE_BYTES) throw tooLarge(`${(file.bytes.length / 1024 / 1024).toFixed(1)} MB, more than ${MAX_FILE_BYTES / 1024 / 1024} MB`);
  return summaryFormatOf(file) === 'xlsx' ? readXlsx(file.bytes) : readCsvTable(file.bytes);
}
