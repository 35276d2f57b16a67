// The command line's own errors (an unknown option, a missing argument...), which commander raises while it
// reads the arguments: in Khmer when the user asks for it, as the problems of the record are (issue 8, point 7).
// They are not problems of the record and have no HTTP status, so they live here, not in the problem catalogue.
import { Command } from 'commander';
import { LANGUAGES, type Language } from '../domain/problems.ts';

/** What each of commander's error codes means, in Khmer (the English is commander's own message). */
const KHMER: Readonly<Record<string, string>> = {
  'commander.unknownOption': 'ជម្រើសមិនស្គាល់',
  'commander.unknownCommand': 'ពាក្យបញ្ជាមិនស្គាល់',
  'commander.missingArgument': 'ខ្វះអាគុយម៉ង់ដែលត្រូវការ',
  'commander.optionMissingArgument': 'ជម្រើសនេះខ្វះតម្លៃ',
  'commander.missingMandatoryOptionValue': 'មិនបានផ្តល់ជម្រើសដែលត្រូវការ',
  'commander.excessArguments': 'អាគុយម៉ង់ច្រើនពេក',
  'commander.invalidArgument': 'តម្លៃមិនត្រឹមត្រូវ',
  'commander.conflictingOption': 'ជម្រើសទាំងនេះមិនអាចប្រើជាមួយគ្នាបានទេ',
};
const KHMER_DEFAULT = 'ការប្រើពាក្យបញ្ជាមិនត្រឹមត្រូវ';

/**
 * The language of the command line before commander has read it: --lang km (or --lang=km), else
 * CLEARWAY_LANG, else English. Errors in the arguments come before any option is parsed.
 */
export function languageOfArguments(argv: readonly string[], env: NodeJS.ProcessEnv): Language {
  let chosen: string | undefined = env.CLEARWAY_LANG;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') break;
    if (arg === '--lang') chosen = argv[i + 1];
    else if (arg.startsWith('--lang=')) chosen = arg.slice('--lang='.length);
  }
  return (LANGUAGES as readonly string[]).includes(chosen ?? '') ? (chosen as Language) : 'en';
}

/** One of commander's errors as one line: in Khmer its meaning leads and commander's English follows. */
export function usageErrorLine(message: string, code: string | undefined, language: Language): string {
  if (language === 'en') return message;
  // Commander's message may carry a second line (a suggestion: "Did you mean report?"): it follows as is.
  const [first, ...rest] = message.replace(/^error:\s*/, '').trimEnd().split('\n');
  return [`កំហុស: ${KHMER[code ?? ''] ?? KHMER_DEFAULT} (${first})`, ...rest].join('\n');
}

/** A Command whose errors, and its subcommands' errors, are printed in `language()`. */
export class LocalisedCommand extends Command {
  constructor(name: string | undefined, private readonly language: () => Language) {
    super(name);
  }

  override createCommand(name?: string): Command {
    return new LocalisedCommand(name, this.language);
  }

  override error(message: string, errorOptions?: { code?: string; exitCode?: number }): never {
    return super.error(usageErrorLine(message, errorOptions?.code, this.language()), errorOptions);
  }
}
