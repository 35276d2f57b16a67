import { describe, expect, it } from 'vitest';
import { languageOfArguments, usageErrorLine } from './usage-errors.ts';

describe('the language of the command line before it is parsed', () => {
  it('is the one --lang names, in either spelling, else CLEARWAY_LANG, else English', () => {
    expect(languageOfArguments(['--lang', 'km', 'import'], {})).toBe('km');
    expect(languageOfArguments(['import', '--lang=km'], {})).toBe('km');
    expect(languageOfArguments(['import'], { CLEARWAY_LANG: 'km' })).toBe('km');
    expect(languageOfArguments(['--lang', 'en', 'import'], { CLEARWAY_LANG: 'km' })).toBe('en');
    expect(languageOfArguments(['import'], {})).toBe('en');
  });

  it('ignores a language it does not have, and what follows --', () => {
    expect(languageOfArguments(['--lang', 'fr'], { CLEARWAY_LANG: 'km' })).toBe('en');
    expect(languageOfArguments(['import', '--', '--lang', 'km'], {})).toBe('en');
  });
});

describe("commander's errors", () => {
  it('lead with their meaning in Khmer and keep the English detail, a suggestion on its own line', () => {
    expect(usageErrorLine("error: unknown command 'reprot'\n(Did you mean report?)", 'commander.unknownCommand', 'km'))
      .toBe("កំហុស: ពាក្យបញ្ជាមិនស្គាល់ (unknown command 'reprot')\n(Did you mean report?)");
    expect(usageErrorLine("error: unknown option '--bogus'", 'commander.unknownOption', 'en')).toBe("error: unknown option '--bogus'");
    expect(usageErrorLine('error: something new', 'commander.somethingNew', 'km')).toBe('កំហុស: ការប្រើពាក្យបញ្ជាមិនត្រឹមត្រូវ (something new)');
  });
});
