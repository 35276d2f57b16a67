// What an update item changes in the record it updates, field by field, for the reviewer: a field the item
// gives with another value is a change (an explicit null included: it clears the field); a field the item
// leaves out keeps the record's value, and is listed as kept, never shown as emptied.

export interface FieldChange {
  field: string;
  before: unknown;
  /** The value the item gives; null when it clears the field. */
  after: unknown;
}

const absent = (value: unknown): boolean => value === undefined || (typeof value === 'string' && value.trim() === '');

/** One form for values that mean the same (a CSV cell "3" and the number 3, an empty list and none). */
function comparable(value: unknown): string | null {
  if (value === null || value === undefined || value === '' || (Array.isArray(value) && value.length === 0)) return null;
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value).trim();
}

export function itemChanges(fields: readonly string[], before: Record<string, unknown>, after: Record<string, unknown>): { changes: FieldChange[]; kept: string[] } {
  const changes: FieldChange[] = [];
  const kept: string[] = [];
  for (const field of fields) {
    if (field === 'ref') continue;
    const value = after[field];
    if (absent(value)) {
      if (field in before) kept.push(field);
      continue;
    }
    if (comparable(value) !== comparable(before[field])) changes.push({ field, before: before[field] ?? null, after: value });
  }
  return { changes, kept };
}
