// Reading an operator's summary table from the file it keeps it in: an Excel workbook (XLSX: its first
// worksheet) or a CSV file. Either way the first non-empty row holds the headers, and each further row
// becomes its cells by header, with the row number a person sees in the sheet (or the line in the file).
import zlib from 'node:zlib';
import ExcelJS from 'exceljs';
import { normaliseHeader, type RawSummaryRow } from '../domain/operator-summary.ts';
import { ClearwayError } from '../domain/problems.ts';
import { readRows } from './csv.ts';
import { charsetOf, decodeText } from './text-encoding.ts';

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

interface ZipEntry {
  name: string;
  method: number;
  /** Where the entry's compressed bytes start and end in the file (bounded by the file, whatever it declares). */
  start: number;
  end: number;
}

/**
 * The entries of a zip as its central directory lists them (APPNOTE 4.3.12, 4.3.16), with the place of each
 * one's data taken from its local header (4.3.7). Sizes it declares unpacked are not used: see inflatedSize.
 */
function zipEntries(zip: Buffer): ZipEntry[] | null {
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (end < 0 || end + 22 > zip.length) return null;
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  const entries: ZipEntry[] = [];
  for (let i = 0; i < count; i++) {
    if (at + 46 > zip.length || zip.readUInt32LE(at) !== 0x02014b50) return null;
    const method = zip.readUInt16LE(at + 10);
    const compressed = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const local = zip.readUInt32LE(at + 42);
    const name = zip.toString('utf8', at + 46, at + 46 + nameLength);
    if (local + 30 > zip.length || zip.readUInt32LE(local) !== 0x04034b50) return null;
    const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    // 0xFFFFFFFF: a zip64 size; no summary needs one, and the data then runs to the end of the file at most.
    const stop = compressed === 0xffffffff ? zip.length : Math.min(zip.length, start + compressed);
    entries.push({ name, method, start, end: stop });
    at += 46 + nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
  }
  return entries;
}

// A row of a worksheet in SpreadsheetML, with or without a namespace prefix.
const ROW_TAG = /<(?:[A-Za-z_][\w.-]*:)?row[\s>]/g;

/**
 * Inflates every entry, counting the bytes really produced and the rows of each worksheet as they stream,
 * and stops as soon as either bound is passed: a zip that declares 1 kB and inflates to 1 GB is refused
 * after the first 32 MB, not read to the end. Nothing inflated is kept.
 */
async function checkInflation(zip: Buffer, entries: ZipEntry[]): Promise<void> {
  let total = 0;
  for (const entry of entries) {
    const isSheet = /^xl\/worksheets\/[^/]+\.xml$/i.test(entry.name);
    const compressed = zip.subarray(entry.start, entry.end);
    if (entry.method === 0) {
      total += compressed.length;
      if (total > MAX_UNZIPPED_BYTES) throw tooLarge(`it unpacks to more than ${MAX_UNZIPPED_BYTES / 1024 / 1024} MB`);
      if (isSheet && (compressed.toString('latin1').match(ROW_TAG)?.length ?? 0) > MAX_SUMMARY_ROWS + 1) throw tooLarge(`more than ${MAX_SUMMARY_ROWS} rows`);
      continue;
    }
    if (entry.method !== 8) throw new ClearwayError('file.malformed', `The workbook's part ${entry.name} is packed in a way Excel does not use (zip method ${entry.method})`, 422);
    await new Promise<void>((resolve, reject) => {
      const inflater = zlib.createInflateRaw();
      let rows = 0;
      let tail = '';
      const stop = (error: ClearwayError) => {
        inflater.destroy();
        reject(error);
      };
      inflater.on('data', (chunk: Buffer) => {
        total += chunk.length;
        if (total > MAX_UNZIPPED_BYTES) return stop(tooLarge(`it unpacks to more than ${MAX_UNZIPPED_BYTES / 1024 / 1024} MB`));
        if (!isSheet) return;
        // A tag may straddle two chunks: the last few characters are carried into the next count.
        const text = tail + chunk.toString('latin1');
        let counted = 0;
        for (const match of text.matchAll(ROW_TAG)) {
          rows++;
          counted = match.index + match[0].length;
        }
        tail = text.slice(Math.max(counted, text.length - 16));
        if (rows > MAX_SUMMARY_ROWS + 1) stop(tooLarge(`more than ${MAX_SUMMARY_ROWS} rows`));
      });
      inflater.on('end', () => {
        rows += tail.match(ROW_TAG)?.length ?? 0;
        if (rows > MAX_SUMMARY_ROWS + 1) reject(tooLarge(`more than ${MAX_SUMMARY_ROWS} rows`));
        else resolve();
      });
      inflater.on('error', (error) => reject(new ClearwayError('file.malformed', `The workbook's part ${entry.name} cannot be unpacked: ${error.message}`, 422)));
      inflater.end(compressed);
    });
  }
}

const tooLarge = (what: string) =>
  new ClearwayError('file.too-large', `The summary is too large (${what}): a monthly summary has one row per province, month and kind`, 413);

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
  // Cells reach SQL as parameters, and PostgreSQL text cannot hold NUL: refused here, by line and column.
  for (const { line, values } of filled) {
    const column = values.findIndex((v) => typeof v === 'string' && v.includes('\u0000'));
    if (column >= 0) {
      throw new ClearwayError('text.unstorable', `Line ${line}, column ${column + 1}: the cell holds a NUL byte (U+0000), which cannot be stored`, 422, { line, field: header.values[column] ?? `column ${column + 1}` });
    }
  }
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
  const entries = zipEntries(bytes);
  if (entries === null) throw new ClearwayError('file.malformed', 'The file is not an Excel workbook (.xlsx) that can be read: its zip directory is damaged', 422);
  await checkInflation(bytes, entries);
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

function readCsvTable(bytes: Buffer, contentType?: string): SummaryTable {
  // Rows are counted as they are parsed: the parser stops at the first row past the bound.
  const rows = readRows(decodeText(bytes, charsetOf(contentType), 'The summary'), MAX_SUMMARY_ROWS + 1);
  if (rows.length > MAX_SUMMARY_ROWS + 1) throw tooLarge(`more than ${MAX_SUMMARY_ROWS} rows`);
  return tableOf('csv', rows.map(({ record, info }) => ({ line: info.lines, values: record.slice(0, MAX_COLUMNS) })));
}

export async function readSummaryTable(file: SummaryFile): Promise<SummaryTable> {
  if (file.bytes.length === 0) throw new ClearwayError('file.empty', 'The file is empty', 422);
  if (file.bytes.length > MAX_FILE_BYTES) throw tooLarge(`${(file.bytes.length / 1024 / 1024).toFixed(1)} MB, more than ${MAX_FILE_BYTES / 1024 / 1024} MB`);
  return summaryFormatOf(file) === 'xlsx' ? readXlsx(file.bytes) : readCsvTable(file.bytes, file.contentType);
}
