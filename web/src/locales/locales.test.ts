import { describe, expect, it } from 'vitest';
import english from './en.json';
import khmer from './km.json';

type Messages = { [key: string]: string | Messages };

function texts(messages: Messages): string[] {
  return Object.values(messages).flatMap((value) => (typeof value === 'string' ? [value] : texts(value)));
}

/** Every message key, with i18next's plural suffixes dropped: Khmer has one plural form, English two. */
function keys(messages: Messages, prefix = ''): string[] {
  return Object.entries(messages).flatMap(([key, value]) =>
    typeof value === 'string' ? [`${prefix}${key.replace(/_(zero|one|two|few|many|other)$/, '')}`] : keys(value, `${prefix}${key}.`),
  );
}

function placeholders(messages: Messages, prefix = ''): Map<string, string> {
  const found = new Map<string, string>();
  for (const [key, value] of Object.entries(messages)) {
    if (typeof value === 'string') found.set(`${prefix}${key}`, (value.match(/\{\{\w+\}\}/g) ?? []).sort().join(' '));
    else for (const [inner, names] of placeholders(value, `${prefix}${key}.`)) found.set(inner, names);
  }
  return found;
}

describe('the English and Khmer texts', () => {
  it('have the same messages, so no label falls back to English in Khmer', () => {
    expect([...new Set(keys(khmer))].sort()).toEqual([...new Set(keys(english))].sort());
  });

  it('fill in the same values in each message', () => {
    const englishNames = placeholders(english);
    for (const [key, names] of placeholders(khmer)) {
      const englishKey = englishNames.has(key) ? key : key.replace(/_other$/, '_one');
      expect(names, key).toBe(englishNames.get(englishKey));
    }
  });

  it('are really translated', () => {
    const khmerScript = /[\u1780-\u17FF]/;
    const khmerTexts = texts(khmer);
    const withKhmer = khmerTexts.filter((text) => khmerScript.test(text));
    // Only names and symbols stay as they are (Clearway, SHA, CHA, the dash for "none").
    expect(withKhmer.length / khmerTexts.length).toBeGreaterThan(0.9);
  });
});
