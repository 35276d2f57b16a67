// Text PostgreSQL cannot store, found before it reaches SQL: a NUL character (text and jsonb refuse U+0000)
// and lone UTF-16 surrogates (which would be stored as U+FFFD, silently changing the data). And documents
// nested too deeply to walk safely (10,000 levels would overflow a recursive reader's stack).

/** Deeper than any document Clearway reads: a GeoJSON MultiPolygon in a FeatureCollection is 8 levels. */
export const MAX_JSON_DEPTH = 64;

export interface UnstorableText {
  /** Where it is: a JSON path such as features[3].properties.notes ('' for the document itself). */
  path: string;
  reason: 'nul' | 'surrogate' | 'depth';
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const stringProblem = (text: string): 'nul' | 'surrogate' | null =>
  text.includes('\u0000') ? 'nul' : LONE_SURROGATE.test(text) ? 'surrogate' : null;

const child = (path: string, key: string | number): string =>
  typeof key === 'number' ? `${path}[${key}]` : /^[A-Za-z_$][\w$]*$/.test(key) ? (path ? `${path}.${key}` : key) : `${path}[${JSON.stringify(key)}]`;

/** The first string or key in a parsed JSON value that cannot be stored, or the first place nested too deep. */
export function findUnstorableText(value: unknown, maxDepth = MAX_JSON_DEPTH): UnstorableText | null {
  // Iterative, so the walk itself cannot overflow the stack.
  const stack: { value: unknown; path: string; depth: number }[] = [{ value, path: '', depth: 0 }];
  while (stack.length > 0) {
    const { value: current, path, depth } = stack.pop()!;
    if (typeof current === 'string') {
      const reason = stringProblem(current);
      if (reason) return { path, reason };
      continue;
    }
    if (typeof current !== 'object' || current === null) continue;
    if (depth >= maxDepth) return { path, reason: 'depth' };
    const entries: [string | number, unknown][] = Array.isArray(current) ? current.map((v, i) => [i, v]) : Object.entries(current);
    for (let i = entries.length - 1; i >= 0; i--) {
      const [key, item] = entries[i]!;
      if (typeof key === 'string') {
        const reason = stringProblem(key);
        if (reason) return { path: child(path, key), reason };
      }
      stack.push({ value: item, path: child(path, key), depth: depth + 1 });
    }
  }
  return null;
}

/** The deepest nesting of arrays and objects in a JSON text, read without parsing it (strings skipped). */
export function jsonTextDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      depth++;
      if (depth > deepest) deepest = depth;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return deepest;
}

export function describeUnstorable(found: UnstorableText): string {
  const where = found.path || 'the document';
  if (found.reason === 'depth') return `${where} is nested more than ${MAX_JSON_DEPTH} levels deep`;
  if (found.reason === 'nul') return `${where} holds a NUL character (U+0000), which cannot be stored`;
  return `${where} holds a broken character (a lone UTF-16 surrogate), which cannot be stored as it is`;
}
