// One catalogue of the problems Clearway reports, each with a stable code, one HTTP status and a message in
// English and Khmer. Imports, the API (RFC 9457 problem+json) and the CLI all speak these codes, so a user or
// a script can act on them, and a data officer reads them in the language chosen (the web shares this file).

export const LANGUAGES = ['en', 'km'] as const;
export type Language = (typeof LANGUAGES)[number];

interface ProblemEntry {
  /** The one HTTP status a problem of this code is answered with (200 for notes: they never refuse). */
  status: number;
  en: string;
  km: string;
}

export const PROBLEM_CODES = {
  // The file as a whole
  'file.malformed': { status: 422, en: 'The file cannot be read in its format', km: 'មិនអាចអានឯកសារតាមទម្រង់របស់វាបានទេ' },
  'file.truncated': { status: 422, en: 'The file ends before its content does', km: 'ឯកសារបញ្ចប់មុនខ្លឹមសាររបស់វាចប់ (ប្រហែលជាត្រូវបានកាត់)' },
  'file.empty': { status: 422, en: 'The file holds no records', km: 'ឯកសារមិនមានកំណត់ត្រាណាមួយទេ' },
  'file.too-large': { status: 413, en: 'The file is larger than this server accepts', km: 'ឯកសារធំជាងទំហំដែលម៉ាស៊ីនមេនេះទទួលយក' },
  'file.unknown-format': { status: 422, en: 'The file format is not one Clearway imports', km: 'Clearway មិននាំចូលឯកសារទម្រង់នេះទេ' },
  'file.encoding': {
    status: 422,
    en: 'The file is not in a text encoding Clearway can read (UTF-8, UTF-16, or the charset it declares)',
    km: 'ឯកសារមិនមែនជាការអ៊ិនកូដអត្ថបទដែល Clearway អាចអានបានទេ (UTF-8, UTF-16 ឬ charset ដែលវាបានប្រកាស)',
  },
  // A record
  'record.malformed': { status: 422, en: 'The record is not in the exchange format', km: 'កំណត់ត្រាមិនស្ថិតក្នុងទម្រង់ប្ដូរទិន្នន័យ (exchange format) ទេ' },
  'record-kind.unknown': { status: 422, en: 'The record does not say a kind Clearway holds (record_kind: hazard, release or find)', km: 'កំណត់ត្រាមិនបញ្ជាក់ប្រភេទដែល Clearway រក្សាទុកទេ (record_kind: hazard, release ឬ find)' },
  'ref.missing': { status: 422, en: 'The record has no ref', km: 'កំណត់ត្រាគ្មាន ref ទេ' },
  'ref.duplicate': { status: 422, en: 'The same ref appears more than once in the file', km: 'ref ដដែលលេចឡើងច្រើនជាងម្ដងក្នុងឯកសារ' },
  'ref.exists': { status: 409, en: 'A record with this ref already exists in the official record', km: 'កំណត់ត្រាដែលមាន ref នេះ មានរួចហើយនៅក្នុងកំណត់ត្រាផ្លូវការ' },
  'field.required': { status: 400, en: 'A required field is missing', km: 'ខ្វះវាលដែលត្រូវតែបំពេញ' },
  'field.invalid': { status: 400, en: 'A field has a value of the wrong form', km: 'វាលមួយមានតម្លៃមិនត្រឹមត្រូវតាមទម្រង់' },
  'field.repeated': { status: 422, en: 'A list repeats the same value', km: 'បញ្ជីមួយមានតម្លៃដដែលច្រើនដង' },
  'field.taken': { status: 409, en: 'The value is already taken', km: 'តម្លៃនេះត្រូវបានប្រើរួចហើយ' },
  'text.unstorable': {
    status: 422,
    en: 'The text holds a character that cannot be stored (a NUL byte or a broken character)',
    km: 'អត្ថបទមានតួអក្សរដែលមិនអាចរក្សាទុកបាន (បៃ NUL ឬតួអក្សរខូច)',
  },
  'type.unknown': { status: 422, en: 'Unknown hazard type', km: 'ប្រភេទតំបន់គ្រោះថ្នាក់មិនស្គាល់' },
  'contamination.unknown': { status: 422, en: 'Unknown contamination type', km: 'ប្រភេទការបំពុល (contamination) មិនស្គាល់' },
  'kind.unknown': { status: 422, en: 'Unknown kind of land release', km: 'ប្រភេទនៃការដោះលែងដីមិនស្គាល់' },
  'method.unknown': { status: 422, en: 'Unknown land release method', km: 'វិធីសាស្ត្រដោះលែងដីមិនស្គាល់' },
  'method.kind-mismatch': { status: 422, en: 'The method cannot release land of this kind', km: 'វិធីសាស្ត្រនេះមិនអាចដោះលែងដីប្រភេទនេះបានទេ' },
  'operator.unknown': { status: 400, en: 'Unknown operator code', km: 'លេខកូដប្រតិបត្តិករមិនស្គាល់' },
  'operator.other-organisation': {
    status: 422,
    en: 'An operator submits its own records, not another organisation\'s',
    km: 'ប្រតិបត្តិករដាក់ស្នើតែកំណត់ត្រារបស់ខ្លួនផ្ទាល់ មិនមែនរបស់អង្គការផ្សេងទេ',
  },
  'operator.change-refused': {
    status: 422,
    en: 'An update cannot change or clear the owning operator of a record: the authority does that, as an act of its own',
    km: 'ការធ្វើបច្ចុប្បន្នភាពមិនអាចប្ដូរ ឬលុបប្រតិបត្តិករដែលជាម្ចាស់កំណត់ត្រាបានទេ៖ មានតែអាជ្ញាធរទេដែលធ្វើការនេះ ជាសកម្មភាពផ្ទាល់របស់ខ្លួន',
  },
  'record.retired': { status: 409, en: 'The record was combined into another one and is no longer changed', km: 'កំណត់ត្រានេះត្រូវបានបញ្ចូលទៅក្នុងកំណត់ត្រាមួយផ្សេងទៀត ហើយលែងត្រូវបានកែប្រែទៀតហើយ' },
  'owner.unchanged': { status: 409, en: 'The record already belongs to this operator', km: 'កំណត់ត្រានេះជាកម្មសិទ្ធិរបស់ប្រតិបត្តិករនេះរួចហើយ' },
  'village.unknown': { status: 422, en: 'Unknown village code', km: 'លេខកូដភូមិមិនស្គាល់' },
  'date.not-iso': { status: 422, en: 'The date is not an ISO date (YYYY-MM-DD)', km: 'កាលបរិច្ឆេទមិនមែនជាកាលបរិច្ឆេទ ISO (YYYY-MM-DD) ទេ' },
  'date.future': { status: 422, en: 'The date is in the future', km: 'កាលបរិច្ឆេទស្ថិតនៅពេលអនាគត' },
  'date.end-before-start': { status: 422, en: 'The end date is before the start date', km: 'កាលបរិច្ឆេទបញ្ចប់ នៅមុនកាលបរិច្ឆេទចាប់ផ្ដើម' },
  'device.invalid': { status: 422, en: 'A device found is not described correctly', km: 'គ្រឿងផ្ទុះដែលបានរកឃើញមួយ មិនត្រូវបានពិពណ៌នាត្រឹមត្រូវទេ' },
  'hazard.unknown': { status: 422, en: 'The hazard this release belongs to does not exist', km: 'គ្មានតំបន់គ្រោះថ្នាក់ដែលការដោះលែងដីនេះសំដៅទៅទេ' },
  'hazard.combined': {
    status: 422,
    en: 'The hazard was combined into another one and takes no more releases',
    km: 'តំបន់គ្រោះថ្នាក់នេះត្រូវបានបញ្ចូលទៅក្នុងតំបន់មួយទៀត ហើយមិនទទួលការដោះលែងដីទៀតទេ',
  },
  'release.not-touching-hazard': { status: 422, en: 'The released land does not touch its hazard', km: 'ដីដែលបានដោះលែង មិនប៉ះនឹងតំបន់គ្រោះថ្នាក់របស់វាទេ' },
  'release.unknown': { status: 422, en: 'The land release this record names does not exist', km: 'គ្មានការដោះលែងដីដែលកំណត់ត្រានេះសំដៅទៅទេ' },
  'category.unknown': { status: 422, en: 'Unknown category of explosive ordnance', km: 'ប្រភេទគ្រាប់ផ្ទុះមិនស្គាល់' },
  'destruction-method.unknown': { status: 422, en: 'Unknown destruction method', km: 'វិធីសាស្ត្របំផ្លាញមិនស្គាល់' },
  'date.destroyed-before-found': { status: 422, en: 'The item is destroyed before it was found', km: 'គ្រាប់ត្រូវបានបំផ្លាញមុនពេលរកឃើញ' },
  'model.unlisted': { status: 200, en: 'The device model is not in the reference list of models met in Cambodia', km: 'ម៉ូដែលគ្រាប់នេះមិនមាននៅក្នុងបញ្ជីយោងនៃម៉ូដែលដែលបានជួបប្រទះនៅកម្ពុជាទេ' },
  // Geometry
  'geometry.missing': { status: 422, en: 'The record has no geometry', km: 'កំណត់ត្រាគ្មានធរណីមាត្រ (geometry) ទេ' },
  'geometry.type': { status: 422, en: 'The geometry is not of the type this kind of record has (polygon, or point)', km: 'ធរណីមាត្រមិនមែនជាប្រភេទដែលកំណត់ត្រាប្រភេទនេះមាន (polygon ឬ point) ទេ' },
  'geometry.malformed': { status: 422, en: 'The geometry cannot be read', km: 'មិនអាចអានធរណីមាត្របានទេ' },
  'geometry.unclosed-ring': { status: 422, en: 'A ring of the polygon is not closed', km: 'ខ្សែព័ទ្ធ (ring) មួយនៃពហុកោណ មិនបិទជិតទេ' },
  'geometry.too-few-vertices': { status: 422, en: 'A ring has fewer than 3 distinct vertices', km: 'ខ្សែព័ទ្ធ (ring) មួយមានចំណុចកំពូលខុសៗគ្នាតិចជាង 3' },
  'geometry.too-many-vertices': { status: 422, en: 'The polygon has more vertices than Clearway accepts', km: 'ពហុកោណមានចំណុចកំពូលច្រើនជាងចំនួនដែល Clearway ទទួលយក' },
  'geometry.too-small': { status: 422, en: 'The area is smaller than 1 m2', km: 'ផ្ទៃក្រឡាតូចជាង 1 m2' },
  'geometry.self-intersection': { status: 422, en: 'The polygon intersects itself', km: 'ពហុកោណកាត់ខ្លួនឯង' },
  'geometry.invalid': { status: 422, en: 'The polygon is not valid', km: 'ពហុកោណមិនត្រឹមត្រូវទេ' },
  'geometry.swapped-coordinates': { status: 422, en: 'Latitude and longitude are swapped', km: 'រយៈទទឹង និងរយៈបណ្ដោយ ត្រូវបានដាក់ច្រាសគ្នា' },
  'geometry.outside-country': { status: 422, en: 'The geometry lies more than 10 km outside the country', km: 'ធរណីមាត្រស្ថិតនៅក្រៅប្រទេស ឆ្ងាយជាង 10 គីឡូម៉ែត្រ' },
  // Notes: accepted, but worth knowing (never a refusal, hence 200)
  'geometry.repaired': { status: 200, en: 'The polygon was repaired', km: 'ពហុកោណត្រូវបានជួសជុល' },
  'geometry.crosses-border': { status: 200, en: 'The hazard crosses the national border', km: 'តំបន់គ្រោះថ្នាក់លាតសន្ធឹងឆ្លងព្រំដែនជាតិ' },
  'geometry.low-precision': { status: 200, en: 'A coordinate has fewer than 6 decimal places (about 0.1 m)', km: 'កូអរដោនេមួយមានខ្ទង់ទសភាគតិចជាង 6 (ប្រហែល 0.1 ម៉ែត្រ)' },
  'release.outside-hazard': {
    status: 200,
    en: 'Part of the released land lies outside its hazard and was not counted',
    km: 'ផ្នែកមួយនៃដីដែលបានដោះលែង ស្ថិតនៅក្រៅតំបន់គ្រោះថ្នាក់របស់វា ហើយមិនត្រូវបានរាប់បញ្ចូលទេ',
  },
  'village.other-unit': {
    status: 200,
    en: 'The named village lies in another province or district than the geometry',
    km: 'ភូមិដែលបានបញ្ជាក់ ស្ថិតនៅក្នុងខេត្ត ឬស្រុកផ្សេងពីធរណីមាត្រ',
  },
  'record.updates': { status: 200, en: 'The item updates the official record with its ref', km: 'ធាតុនេះធ្វើបច្ចុប្បន្នភាពកំណត់ត្រាផ្លូវការដែលមាន ref ដូចគ្នា' },
  // Accounts and permissions
  'auth.required': { status: 401, en: 'Sign in or send an API token', km: 'សូមចូលគណនី ឬផ្ញើ API token' },
  'auth.invalid-token': { status: 401, en: 'The API token is not valid', km: 'API token មិនត្រឹមត្រូវទេ' },
  'auth.wrong-credentials': { status: 401, en: 'Wrong username or password', km: 'ឈ្មោះអ្នកប្រើ ឬពាក្យសម្ងាត់មិនត្រឹមត្រូវ' },
  'auth.rate-limited': { status: 429, en: 'Too many failed sign-ins; wait a moment', km: 'ការចូលគណនីបរាជ័យច្រើនដងពេក សូមរង់ចាំបន្តិចសិន' },
  'auth.csrf': { status: 403, en: 'The CSRF token is missing or wrong', km: 'CSRF token បាត់ ឬមិនត្រឹមត្រូវ' },
  'auth.forbidden': { status: 403, en: 'Your role or organisation may not do this', km: 'តួនាទី ឬអង្គការរបស់អ្នក មិនអាចធ្វើសកម្មភាពនេះបានទេ' },
  // The submission workflow
  'workflow.transition': { status: 409, en: 'The submission is not in a state that allows this', km: 'ការដាក់ស្នើមិនស្ថិតក្នុងស្ថានភាពដែលអនុញ្ញាតឱ្យធ្វើសកម្មភាពនេះទេ' },
  'workflow.four-eyes': { status: 403, en: 'The person who submitted cannot decide on the same submission', km: 'អ្នកដែលបានដាក់ស្នើ មិនអាចសម្រេចលើការដាក់ស្នើរបស់ខ្លួនបានទេ' },
  'workflow.has-errors': { status: 422, en: 'The submission has validation errors', km: 'ការដាក់ស្នើមានកំហុសក្នុងការផ្ទៀងផ្ទាត់' },
  'workflow.conflict': { status: 409, en: 'Items conflict with the official record as it is now', km: 'ធាតុមួយចំនួនប៉ះទង្គិចនឹងកំណត់ត្រាផ្លូវការ ដូចដែលវាមាននាពេលនេះ' },
  'workflow.reconciliation': {
    status: 422,
    en: 'The reconciliation chosen for an item is not possible',
    km: 'ការផ្សះផ្សា (reconciliation) ដែលបានជ្រើសសម្រាប់ធាតុមួយ មិនអាចធ្វើបានទេ',
  },
  'submission.too-many-items': { status: 413, en: 'The submission holds more items than Clearway accepts in one', km: 'ការដាក់ស្នើមានធាតុច្រើនជាងចំនួនដែល Clearway ទទួលយកក្នុងមួយលើក' },
  'submission.too-many-drafts': { status: 422, en: 'The organisation holds as many drafts as Clearway keeps', km: 'អង្គការនេះមានសេចក្ដីព្រាងច្រើនបំផុតតាមដែល Clearway រក្សាទុកហើយ' },
  'frozen.name-taken': { status: 409, en: 'A frozen report already has this name: frozen figures are never replaced', km: 'របាយការណ៍ដែលបានបង្កកមួយមានឈ្មោះនេះរួចហើយ៖ តួលេខដែលបានបង្កកមិនត្រូវបានជំនួសទេ' },
  'hazard.status-not-settable': { status: 409, en: 'This status cannot be set on this hazard', km: 'មិនអាចកំណត់ស្ថានភាពនេះលើតំបន់គ្រោះថ្នាក់នេះបានទេ' },
  // An operator's own monthly summary, compared with the official record (the discrepancy report)
  'summary.invalid': { status: 422, en: 'The operator summary has errors; nothing was compared', km: 'របាយការណ៍សង្ខេបរបស់ប្រតិបត្តិករមានកំហុស ដូច្នេះមិនបានប្រៀបធៀបអ្វីទាំងអស់' },
  'summary.columns': { status: 422, en: 'The summary lacks a required column', km: 'របាយការណ៍សង្ខេបខ្វះជួរឈរដែលត្រូវតែមាន' },
  'summary.province-unknown': { status: 422, en: 'Unknown province', km: 'ខេត្តមិនស្គាល់' },
  'summary.month-invalid': { status: 422, en: 'The month is not a calendar month (YYYY-MM)', km: 'ខែមិនមែនជាខែប្រតិទិន (YYYY-MM) ទេ' },
  'summary.area-invalid': { status: 422, en: 'The released area is not a number of m2 of at least 0', km: 'ផ្ទៃដីដែលបានដោះលែង មិនមែនជាចំនួន m2 ចាប់ពី 0 ឡើងទៅទេ' },
  'summary.duplicate': { status: 422, en: 'The same province, month and kind appear on more than one line', km: 'ខេត្ត ខែ និងប្រភេទដដែល លេចឡើងលើច្រើនជាងមួយបន្ទាត់' },
  // Requests and the engine
  'request.invalid': { status: 400, en: 'The request is not valid', km: 'សំណើមិនត្រឹមត្រូវទេ' },
  'request.media-type': { status: 415, en: 'The body is not of a type this request accepts', km: 'ខ្លឹមសារសំណើមិនមែនជាប្រភេទដែលសំណើនេះទទួលយកទេ' },
  'request.encoding': {
    status: 415,
    en: 'Compressed request bodies are not accepted: send the body without Content-Encoding',
    km: 'មិនទទួលយកខ្លឹមសារសំណើដែលបានបង្ហាប់ទេ៖ សូមផ្ញើដោយគ្មាន Content-Encoding',
  },
  'request.too-large': { status: 413, en: 'The request body is larger than this request accepts', km: 'ខ្លឹមសារសំណើធំជាងអ្វីដែលសំណើនេះទទួលយក' },
  'not-found': { status: 404, en: 'Not found', km: 'រកមិនឃើញទេ' },
  'engine.silent-failure': {
    status: 500,
    en: 'The database engine failed without an error; the change was rolled back',
    km: 'ម៉ាស៊ីនមូលដ្ឋានទិន្នន័យបានបរាជ័យដោយគ្មានសារកំហុស ហើយការផ្លាស់ប្ដូរត្រូវបានបោះបង់វិញ',
  },
  'internal': { status: 500, en: 'Internal error', km: 'កំហុសខាងក្នុងម៉ាស៊ីនមេ' },
} as const satisfies Record<string, ProblemEntry>;

export type ProblemCode = keyof typeof PROBLEM_CODES;

export const isProblemCode = (code: string): code is ProblemCode => Object.hasOwn(PROBLEM_CODES, code);

/** The one HTTP status of a code. */
export function problemStatus(code: ProblemCode): number {
  return PROBLEM_CODES[code].status;
}

/** The message of a code in a language (English for a code this build does not know, such as a newer server's). */
export function problemTitle(code: string, language: Language = 'en'): string {
  return isProblemCode(code) ? PROBLEM_CODES[code][language] : code;
}

/**
 * The language a client asks for in Accept-Language (RFC 9110 12.5.4): the supported one with the highest
 * q-value, English when it names neither (or refuses both with q=0).
 */
export function preferredLanguage(acceptLanguage: string | null | undefined): Language {
  let best: { language: Language; q: number } | null = null;
  for (const part of (acceptLanguage ?? '').split(',')) {
    const [tag, ...parameters] = part.trim().toLowerCase().split(';');
    const primary = tag?.trim().split('-')[0];
    const language = LANGUAGES.find((l) => l === primary);
    if (!language) continue;
    const qParameter = parameters.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const q = qParameter ? Number(qParameter.slice(2)) : 1;
    if (!Number.isFinite(q) || q <= 0) continue;
    if (!best || q > best.q) best = { language, q };
  }
  return best?.language ?? 'en';
}

export type Severity = 'error' | 'note';

/** One problem with one record: which record (ref, and feature index or line), which field, and why. */
export interface RecordProblem {
  severity: Severity;
  code: ProblemCode;
  /** The record's ref, when it has one. */
  ref?: string;
  /** 0-based index of the feature in a GeoJSON FeatureCollection. */
  feature?: number;
  /** 1-based line of a CSV file (the header is line 1). */
  line?: number;
  field?: string;
  reason: string;
}

/**
 * The problems found reading a record, then those of its schema, without saying twice what is wrong with one field:
 * a cell refused while reading (a NUL byte) is absent to the schema, which would add "has no ref" or "is required".
 */
export function readThenParsed(read: readonly RecordProblem[], parsed: readonly RecordProblem[]): RecordProblem[] {
  const refused = new Set(read.filter((p) => p.severity === 'error' && p.field !== undefined).map((p) => p.field));
  return [...read, ...parsed.filter((p) => p.field === undefined || !refused.has(p.field.split('.')[0]))];
}

const PLACE_WORDS = {
  en: { error: 'error', note: 'note', feature: 'feature', line: 'line', ref: 'ref', field: 'field', file: 'file' },
  km: { error: 'កំហុស', note: 'កំណត់សម្គាល់', feature: 'ធាតុ', line: 'បន្ទាត់', ref: 'ref', field: 'វាល', file: 'ឯកសារ' },
} as const;

/**
 * One line for a person: where, which field, and why. In Khmer the code's message leads and the reason
 * (built in English from the record's values) follows it, so nothing the English line says is lost.
 */
export function describeProblem(problem: RecordProblem, language: Language = 'en'): string {
  const words = PLACE_WORDS[language];
  const where: string[] = [];
  if (problem.feature !== undefined) where.push(`${words.feature} ${problem.feature}`);
  if (problem.line !== undefined) where.push(`${words.line} ${problem.line}`);
  if (problem.ref !== undefined) where.push(`${words.ref} ${problem.ref}`);
  const place = where.length > 0 ? where.join(', ') : words.file;
  const field = problem.field ? ` ${words.field} ${problem.field}` : '';
  const reason = language === 'en' ? problem.reason : `${problemTitle(problem.code, language)} (${problem.reason})`;
  return `${words[problem.severity]} [${problem.code}] ${place}${field}: ${reason}`;
}

/**
 * An error whose code and details reach the user as they are (problem+json over HTTP, a line in the CLI).
 * Its status is the code's, from the catalogue. The constructor still takes a status in third place, as the
 * call sites written before the catalogue do; problems.test.ts checks that every such number agrees with it.
 */
export class ClearwayError extends Error {
  readonly status: number;
  readonly details: Record<string, unknown>;

  constructor(code: ProblemCode, message: string, details?: Record<string, unknown>);
  constructor(code: ProblemCode, message: string, status: number, details?: Record<string, unknown>);
  constructor(
    readonly code: ProblemCode,
    message: string,
    statusOrDetails?: number | Record<string, unknown>,
    details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'ClearwayError';
    this.status = problemStatus(code);
    this.details = typeof statusOrDetails === 'object' ? statusOrDetails : details;
  }
}
