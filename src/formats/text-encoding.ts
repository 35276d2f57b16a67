// Text files arrive as bytes. They are decoded by what they say they are (a byte-order mark, or the charset
// the sender declares) and otherwise as strict UTF-8; bytes that are not text in that encoding are refused,
// naming the line, rather than stored with U+FFFD replacement characters in place of someone's data.
import { TextDecoder } from 'node:util';
import { ClearwayError } from '../domain/problems.ts';

const BOMS: { bytes: number[]; encoding: string }[] = [
  { bytes: [0xef, 0xbb, 0xbf], encoding: 'utf-8' },
  { bytes: [0xff, 0xfe], encoding: 'utf-16le' },
  { bytes: [0xfe, 0xff], encoding: 'utf-16be' },
];

/** The charset parameter of a Content-Type header, lower-cased, if any. */
export function charsetOf(contentType: string | undefined): string | undefined {
  const match = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType ?? '');
  return match?.[1]?.toLowerCase();
}

// Windows-1252 (Excel's "CSV" on a Western Windows) as WHATWG defines it. Node 20 decodes this label as
// ISO-8859-1, turning its quotes and dashes (0x80-0x9F) into control characters, so it is decoded here.
const WINDOWS_1252_HIGH = '\u20AC\u0081\u201A\u0192\u201E\u2026\u2020\u2021\u02C6\u2030\u0160\u2039\u0152\u008D\u017D\u008F'
  + '\u0090\u2018\u2019\u201C\u201D\u2022\u2013\u2014\u02DC\u2122\u0161\u203A\u0153\u009D\u017E\u0178';
const WINDOWS_1252_UNDEFINED = new Set([0x81, 0x8d, 0x8f, 0x90, 0x9d]);

function decodeWindows1252(bytes: Buffer, what: string): string {
  let text = '';
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i]!;
    if (WINDOWS_1252_UNDEFINED.has(byte)) {
      throw new ClearwayError('file.encoding', `${what} is not windows-1252 text: the byte 0x${byte.toString(16)} means nothing in it; save it as UTF-8`, 422, { field: 'charset' });
    }
    text += byte >= 0x80 && byte <= 0x9f ? WINDOWS_1252_HIGH[byte - 0x80] : String.fromCharCode(byte);
  }
  return text;
}

/** UTF-16 saved without a mark (some Windows exports): every other byte of ASCII text is zero. */
function utf16WithoutMark(bytes: Buffer): 'utf-16le' | 'utf-16be' | null {
  const sample = bytes.subarray(0, Math.min(bytes.length, 4096) & ~1);
  if (sample.length < 4) return null;
  let evenZeros = 0;
  let oddZeros = 0;
  for (let i = 0; i < sample.length; i += 2) {
    if (sample[i] === 0) evenZeros++;
    if (sample[i + 1] === 0) oddZeros++;
  }
  const pairs = sample.length / 2;
  if (oddZeros > pairs * 0.4 && evenZeros < pairs * 0.05) return 'utf-16le';
  if (evenZeros > pairs * 0.4 && oddZeros < pairs * 0.05) return 'utf-16be';
  return null;
}

/** The 1-based line and the byte where strict UTF-8 decoding first fails. */
function firstInvalidUtf8(bytes: Buffer): { line: number; offset: number } {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let low = 0;
  let high = bytes.length;
  // The longest prefix that decodes (cut at a character boundary search): binary search on the prefix length.
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    try {
      decoder.decode(bytes.subarray(0, middle), { stream: true });
      decoder.decode();
      low = middle;
    } catch {
      high = middle - 1;
    }
  }
  let line = 1;
  for (let i = 0; i < low; i++) if (bytes[i] === 0x0a) line++;
  return { line, offset: low };
}

/**
 * Decodes a text file. `declaredCharset` is the sender's word (Content-Type charset): trusted when no
 * byte-order mark says otherwise; an encoding this server does not know is refused by name.
 */
export function decodeText(bytes: Buffer, declaredCharset?: string, what = 'The file'): string {
  const bom = BOMS.find((b) => b.bytes.every((byte, i) => bytes[i] === byte));
  const encoding = bom?.encoding ?? declaredCharset ?? utf16WithoutMark(bytes) ?? 'utf-8';
  let decoder: TextDecoder;
  try {
    // ignoreBOM: the mark is dropped below, once, whatever the encoding.
    decoder = new TextDecoder(encoding, { fatal: true, ignoreBOM: true });
  } catch {
    throw new ClearwayError('file.encoding', `${what} declares the charset ${encoding}, which Clearway cannot read: save it as UTF-8`, 422, { field: 'charset' });
  }
  if (decoder.encoding === 'windows-1252') return decodeWindows1252(bytes, what);
  try {
    return decoder.decode(bytes.subarray(bom?.bytes.length ?? 0));
  } catch {
    if (decoder.encoding !== 'utf-8') {
      throw new ClearwayError('file.encoding', `${what} is not valid ${decoder.encoding} text: save it as UTF-8`, 422, { field: 'charset' });
    }
    const { line, offset } = firstInvalidUtf8(bytes);
    throw new ClearwayError(
      'file.encoding',
      `${what} is not UTF-8: line ${line} holds the byte 0x${bytes[offset]!.toString(16).padStart(2, '0')}, which is not UTF-8 text. Save it as "CSV UTF-8", or send its charset (e.g. Content-Type: text/csv; charset=windows-1252)`,
      422,
      { line, field: 'charset' },
    );
  }
}
