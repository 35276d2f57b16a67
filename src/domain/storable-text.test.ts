import { describe, expect, it } from 'vitest';
import { findUnstorableText, jsonTextDepth } from './storable-text.ts';

describe('text PostgreSQL cannot store', () => {
  it('names the JSON path of a NUL character or a lone surrogate, in values and in keys', () => {
    expect(findUnstorableText({ features: [{ properties: { ref: 'A' } }, { properties: { notes: 'x\u0000y' } }] })).toEqual({ path: 'features[1].properties.notes', reason: 'nul' });
    expect(findUnstorableText({ rows: [{ 'bad\u0000key': 1 }] })).toEqual({ path: 'rows[0]["bad\\u0000key"]', reason: 'nul' });
    expect(findUnstorableText({ reason: 'half \ud800 a pair' })).toEqual({ path: 'reason', reason: 'surrogate' });
    expect(findUnstorableText({ ok: ['ខ្មែរ', 1, null, { a: true }] })).toBeNull();
  });

  it('stops at a document nested deeper than 64 levels, without overflowing the stack', () => {
    const deep = JSON.parse(`${'['.repeat(10_000)}${']'.repeat(10_000)}`) as unknown;
    expect(findUnstorableText(deep)).toMatchObject({ reason: 'depth' });
    expect(jsonTextDepth(`{"a":"[[[[","b":[[1]]}`)).toBe(3);
    expect(jsonTextDepth(`${'{"a":'.repeat(100)}1${'}'.repeat(100)}`)).toBe(100);
  });
});
