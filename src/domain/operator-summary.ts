// An operator's own monthly summary of land released: one row per province, month and kind with the m2
// the operator counts. It is what operators keep in their spreadsheets and what the discrepancy report
// compares with the official record, so it is read the way spreadsheets are written: headers in any case,
// provinces by NCDD code, P-code or English name, months as text or as a real date cell.
import { z } from 'zod';
import { normaliseAdminCode } from './admin-codes.ts';
import { RELEASE_KINDS, type ReleaseKind } from './exchange-format.ts';
import type { ProblemCode, RecordProblem } from './problems.ts';

export const SUMMARY_COLUMNS = ['province', 'month', 'kind', 'released_m2'] as const;
type SummaryColumn = (typeof SUMMARY_COLUMNS)[number];

/** One valid row of the summary. */
export interface SummaryRow {
  /** Where it is: the row number in the sheet, the line in a CSV file (header = 1), the position in JSON rows. */
  line: number;
  province_code: string;
  /** YYYY-MM */
  month: string;
  kind: ReleaseKind;
  released_m2: number;
}

/** A row as a reader found it: its cells by header, lower-cased and trimmed. */
export interface RawSummaryRow {
  line: number;
  cells: Record<string, unknown>;
}

/** A province of the reference data, which the caller reads (the domain holds no reference data). */
export interface Province {
  code: string;
  name_en: string;
}

export type SummaryParse = { ok: true; rows: SummaryRow[] } | { ok: false; problems: RecordProblem[] };

/** Headers match whatever their case and surrounding spaces. */
export const normaliseHeader = (header: unknown): string => String(header ?? '').trim().toLowerCase();

/**
 * Spellings of province names common in the sector's spreadsheets that differ from the gazetteer's
 * (compared without case, spaces or punctuation, so "Siem Reap" already matches "Siemreap").
 */
const PROVINCE_ALIASES: Record<string, string> = {
  phnompenh: '12',
  ratanakiri: '16',
  rattanakiri: '16',
  sihanoukville: '18',
  kampongsom: '18',
  otdarmeanchey: '22',
  tbongkhmum: '25',
  kracheh: '10',
  stuengtraeng: '19',
  pouthisat: '15',
};

const nameKey = (name: string): string => name.toLowerCase().replace(/[^a-z]/g, '');

function provinceResolver(provinces: Province[]): (raw: string) => string | null {
  const codes = new Set(provinces.map((p) => p.code));
  const byName = new Map<string, string>(Object.entries(PROVINCE_ALIASES).filter(([, code]) => codes.has(code)));
  for (const p of provinces) byName.set(nameKey(p.name_en), p.code);
  return (raw) => {
    const text = raw.trim();
    const digits = /^kh\d{1,2}$/i.test(text) ? text.slice(2) : text;
    if (/^\d{1,2}$/.test(digits)) {
      const code = normaliseAdminCode(digits, 'province');
      return code && codes.has(code) ? code : null;
    }
    return byName.get(nameKey(text)) ?? null;
  };
}

const blank = (value: unknown): boolean => value === undefined || value === null || (typeof value === 'string' && value.trim() === '');

/** A date cell (XLSX) stands for its month; spreadsheets store dates at midnight UTC. */
const monthOfDate = (date: Date): string => `${date.getUTCFullYear()}-${String(date.getUTCMonth() + 1).padStart(2, '0')}`;

/** A cell as text, for messages and for text fields: a date cell reads as its ISO date. */
const cellText = (value: unknown): string => (value instanceof Date ? (Number.isNaN(value.getTime()) ? 'an invalid date' : value.toISOString().slice(0, 10)) : String(value).trim());

const monthSchema = z.unknown().transform((value, ctx) => {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) {
      ctx.addIssue({ code: 'custom', message: 'the date cell holds no valid date' });
      return z.NEVER;
    }
    return monthOfDate(value);
  }
  const text = cellText(value);
  const match = typeof value === 'string' ? /^(\d{4})-(\d{2})$/.exec(text) : null;
  if (!match) {
    ctx.addIssue({ code: 'custom', message: `${JSON.stringify(text)} is not a month: write YYYY-MM (e.g. 2024-03) or use a date cell` });
    return z.NEVER;
  }
  const month = Number(match[2]);
  if (month < 1 || month > 12) {
    ctx.addIssue({ code: 'custom', message: `${text} is not a month: months run from 01 to 12` });
    return z.NEVER;
  }
  return text;
});

const kindSchema = z.unknown().transform((value, ctx) => {
  const text = cellText(value).toLowerCase();
  if (!(RELEASE_KINDS as readonly string[]).includes(text)) {
    ctx.addIssue({ code: 'custom', message: `${JSON.stringify(cellText(value))} is not one of ${RELEASE_KINDS.join(', ')}` });
    return z.NEVER;
  }
  return text as ReleaseKind;
});

// Plain decimal numbers only: "1,234" could be a thousands separator or a decimal comma, and guessing
// wrong would shift a figure by a factor of a thousand without anyone noticing.
const areaSchema = z.unknown().transform((value, ctx) => {
  const number = typeof value === 'number' ? value
    : typeof value === 'string' && /^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isFinite(number)) {
    ctx.addIssue({ code: 'custom', message: `${JSON.stringify(cellText(value))} is not a number of m2 (digits, with "." for decimals)` });
    return z.NEVER;
  }
  if (number < 0) {
    ctx.addIssue({ code: 'custom', message: `${number} is negative: released land is 0 m2 or more` });
    return z.NEVER;
  }
  return number;
});

function rowSchema(resolveProvince: (raw: string) => string | null) {
  return z.object({
    province: z.unknown().transform((value, ctx) => {
      const code = typeof value === 'string' || typeof value === 'number' ? resolveProvince(String(value)) : null;
      if (!code) {
        ctx.addIssue({ code: 'custom', message: `${JSON.stringify(cellText(value))} is not a province: use its NCDD code (01 to 25), its P-code (KH01) or its English name` });
        return z.NEVER;
      }
      return code;
    }),
    month: monthSchema,
    kind: kindSchema,
    released_m2: areaSchema,
  });
}

const FIELD_CODES: Record<SummaryColumn, ProblemCode> = {
  province: 'summary.province-unknown',
  month: 'summary.month-invalid',
  kind: 'kind.unknown',
  released_m2: 'summary.area-invalid',
};

/** The header must name every column; others (notes, totals) are ignored. */
export function checkSummaryHeaders(headers: unknown[], line: number): RecordProblem[] {
  const names = headers.map(normaliseHeader);
  const problems: RecordProblem[] = [];
  const missing = SUMMARY_COLUMNS.filter((column) => !names.includes(column));
  if (missing.length > 0) {
    const found = names.filter(Boolean).join(', ') || 'nothing';
    problems.push({
      severity: 'error', code: 'summary.columns', line, field: missing.join(', '),
      reason: `the header row must name the columns ${SUMMARY_COLUMNS.join(', ')}; missing ${missing.join(', ')} (found: ${found})`,
    });
  }
  for (const column of SUMMARY_COLUMNS) {
    if (names.filter((name) => name === column).length > 1) {
      problems.push({ severity: 'error', code: 'summary.columns', line, field: column, reason: `the column ${column} appears more than once` });
    }
  }
  return problems;
}

/** Every row checked; any problem refuses the whole summary (a comparison with holes would mislead). */
export function parseSummaryRows(rows: RawSummaryRow[], provinces: Province[]): SummaryParse {
  const schema = rowSchema(provinceResolver(provinces));
  const problems: RecordProblem[] = [];
  const valid: SummaryRow[] = [];
  const firstLine = new Map<string, number>();
  for (const { line, cells } of rows) {
    const present = Object.fromEntries(SUMMARY_COLUMNS.filter((c) => !blank(cells[c])).map((c) => [c, cells[c]]));
    const result = schema.safeParse(present);
    if (!result.success) {
      for (const issue of result.error.issues) {
        const field = String(issue.path[0] ?? '') as SummaryColumn;
        const missing = !(field in present);
        problems.push({
          severity: 'error', code: missing ? 'field.required' : (FIELD_CODES[field] ?? 'field.invalid'), line, field,
          reason: missing ? `${field} is required` : issue.message,
        });
      }
      continue;
    }
    const row: SummaryRow = { line, province_code: result.data.province, month: result.data.month, kind: result.data.kind, released_m2: result.data.released_m2 };
    const key = `${row.province_code}|${row.month}|${row.kind}`;
    const first = firstLine.get(key);
    if (first !== undefined) {
      problems.push({
        severity: 'error', code: 'summary.duplicate', line, field: 'province, month, kind',
        reason: `province ${row.province_code}, ${row.month}, ${row.kind} is on lines ${first} and ${line}: give one figure per province, month and kind`,
      });
      continue;
    }
    firstLine.set(key, line);
    valid.push(row);
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, rows: valid };
}
