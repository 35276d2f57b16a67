// What a problem says, in the language chosen in the page. The catalogue of codes and their English and Khmer
// messages is the server's own (src/domain/problems.ts, pure), shared rather than copied so they never drift.
import { problemTitle } from '../../src/domain/problems';
import type { Language } from './i18n';

export interface ProblemText {
  /** The code's message in the language (absent in English: the reason already says it, with the values). */
  message: string | null;
  /** The reason the server gave for this record or request: in English, with the values it names. */
  reason: string;
}

/**
 * A record's or a request's problem as a person reads it: in English the server's own reason; in Khmer the
 * code's Khmer message first, the reason (English, naming the record's values) after it.
 */
export function problemText(code: string | undefined, reason: string, language: Language): ProblemText {
  if (language === 'en' || !code) return { message: null, reason };
  const message = problemTitle(code, language);
  return { message: message === code ? null : message, reason };
}
