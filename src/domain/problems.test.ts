import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ClearwayError, describeProblem, PROBLEM_CODES, preferredLanguage, problemStatus, problemTitle, type ProblemCode } from './problems.ts';

const KHMER = /[\u1780-\u17FF]/;
const srcDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

describe('the problem catalogue', () => {
  it('gives every code one HTTP status and a message in English and in Khmer script', () => {
    for (const [code, entry] of Object.entries(PROBLEM_CODES)) {
      expect([200, 400, 401, 403, 404, 409, 413, 415, 422, 429, 500], code).toContain(entry.status);
      expect(entry.en.trim().length, code).toBeGreaterThan(3);
      expect(entry.km, code).toMatch(KHMER);
      expect(entry.km, code).not.toBe(entry.en);
    }
  });

  it('makes an error take its status from its code', () => {
    expect(new ClearwayError('auth.forbidden', 'no').status).toBe(403);
    expect(new ClearwayError('file.too-large', 'big', { field: 'file' })).toMatchObject({ status: 413, details: { field: 'file' } });
    expect(new ClearwayError('not-found', 'gone', 404, { ref: 'X' })).toMatchObject({ status: 404, details: { ref: 'X' } });
  });

  it('finds no call site that names a status other than its code\'s', () => {
    const files = fs.readdirSync(srcDir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
    const disagreements: string[] = [];
    let checked = 0;
    for (const file of files) {
      const text = fs.readFileSync(path.join(srcDir, file), 'utf8');
      for (const match of text.matchAll(/new ClearwayError\('([a-z.-]+)',[^\n]*?['`],\s*(\d{3})\s*[,)]/g)) {
        checked++;
        const status = problemStatus(match[1] as ProblemCode);
        if (status !== Number(match[2])) disagreements.push(`${file}: ${match[1]} says ${match[2]}, the catalogue ${status}`);
      }
    }
    expect(checked).toBeGreaterThan(20);
    expect(disagreements).toEqual([]);
  });

  it('reads the language a client prefers from Accept-Language, q-values included', () => {
    expect(preferredLanguage(undefined)).toBe('en');
    expect(preferredLanguage('km')).toBe('km');
    expect(preferredLanguage('km-KH,km;q=0.9,en;q=0.8')).toBe('km');
    expect(preferredLanguage('en;q=0.5, km;q=0.8')).toBe('km');
    expect(preferredLanguage('fr, en;q=0.3, km;q=0.2')).toBe('en');
    expect(preferredLanguage('km;q=0, fr')).toBe('en');
    expect(preferredLanguage('*')).toBe('en');
  });

  it('describes a record problem in Khmer with the code\'s message, keeping codes and field names in Latin script', () => {
    const problem = { severity: 'error', code: 'date.future', line: 4, ref: 'HZ-1', field: 'recorded_on', reason: '2099-01-01 is after today' } as const;
    expect(describeProblem(problem)).toBe('error [date.future] line 4, ref HZ-1 field recorded_on: 2099-01-01 is after today');
    const km = describeProblem(problem, 'km');
    expect(km).toContain(problemTitle('date.future', 'km'));
    expect(km).toContain('[date.future]');
    expect(km).toContain('recorded_on');
    expect(km).toMatch(/^កំហុស /);
  });
});
