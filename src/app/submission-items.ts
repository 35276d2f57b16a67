// The items of a submission as the file holds them, for review, reconciliation and approval.
import type { Queryable } from '../db/engine.ts';
import { officialVersions } from '../db/reconciliation.ts';
import { ClearwayError } from '../domain/problems.ts';
import type { ItemRef } from '../domain/reconciliation.ts';
import { readerFor } from '../formats/registry.ts';
import { readRecordsOffThread } from './read-off-thread.ts';
import { refOf, type FormatId, type RawRecord } from '../formats/records.ts';

/** The file's records; an unreadable file has none (its validation report already says why). */
export function readItems(file: { file_name: string; format: string; content: string }): RawRecord[] {
  try {
    return readerFor(file.file_name, file.format as FormatId).read(file.content);
  } catch (error) {
    if (!(error instanceof ClearwayError)) throw error;
    return [];
  }
}

/** readItems for an upload being checked: a large file is read off the server's thread (read-off-thread.ts). */
export async function readItemsOffThread(file: { file_name: string; format: string; content: string }): Promise<RawRecord[]> {
  try {
    return await readRecordsOffThread(file.file_name, file.content, (file.format || undefined) as FormatId | undefined);
  } catch (error) {
    if (!(error instanceof ClearwayError)) throw error;
    return [];
  }
}

export function itemRefs(records: RawRecord[]): ItemRef[] {
  return records.map((record, idx) => ({ idx, ref: refOf(record) }));
}

/**
 * The version of each official record that has the ref of an item, as the record is now: what the file was
 * prepared against. Approval later refuses to update a record that has moved on since.
 */
export async function basisOf(db: Queryable, kind: 'hazards' | 'releases', records: RawRecord[]): Promise<{ basis: Record<string, number>; owners: Record<string, string | null> }> {
  const refs = itemRefs(records).flatMap((item) => (item.ref === null ? [] : [item.ref]));
  const versions = [...(await officialVersions(db, kind, refs, { lock: false })).values()];
  return {
    basis: Object.fromEntries(versions.map((v) => [v.ref, v.version])),
    owners: Object.fromEntries(versions.map((v) => [v.ref, v.operator_code])),
  };
}
