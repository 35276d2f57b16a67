// A submission's items applied to the official record in the kinds' order (hazards, then their releases,
// then the finds), in the caller's transaction: an item may name another item of the same submission (a
// new hazard and its releases, a release and its finds), because the one it names is written first. The
// check of a submission runs this and rolls back; its approval runs it and commits.
import type { Queryable } from '../db/engine.ts';
import type { RecordProblem } from '../domain/problems.ts';
import type { Reconciliation } from '../domain/reconciliation.ts';
import type { FormatId } from '../formats/records.ts';
import { KIND_IDS, type KindId } from '../kinds/registry.ts';
import { importGroup, type Checker, type ImportReport, type PolygonMeasures } from './import-records.ts';
import type { SubmissionItem } from './submission-items.ts';
import type { PendingRecords } from '../db/pending-records.ts';

export interface ApplyOptions {
  actor: string;
  today: string;
  fileName: string;
  format: FormatId | undefined;
  submissionId?: number;
  /** How each item (by its index in the submission) meets the official record. */
  decided: Map<number, Reconciliation>;
  /** Whose records they are when an item names no operator. */
  defaultOperator: string;
  /** A connection for the checks of the first kind (nothing of this submission is written before it). */
  firstChecker?: Checker;
  /** The caller rolls back (a check): the accounting is not recomputed (ImportRequest.checkOnly). */
  checkOnly?: boolean;
  /**
   * Measures already taken, by kind and item index (a polygon measured once, docs/decisions/0018): at the
   * check, the releases' own measures still being taken beside the hazards (awaited when the releases' turn
   * comes, not before).
   */
  keptMeasures?: Partial<Record<KindId, Map<number, PolygonMeasures> | Promise<Map<number, PolygonMeasures>>>>;
  /**
   * At approval: the reference data version of the database. An item's own measures (kept with it when it was
   * checked) are used when they were taken against this version.
   */
  measuredAgainst?: number;
  /** Receives the measures taken, by item index, to keep with the items. */
  keepMeasures?: (measured: Map<number, PolygonMeasures>) => void;
  /** Told once the first kind's items are done: firstChecker is no longer used. */
  firstKindDone?: () => void;
}

export interface AppliedKind {
  kind: KindId;
  report: ImportReport;
}

/**
 * The items to apply: their kinds and refs, and each kind's items when its turn comes (an approval reads the
 * next kind's items on a connection of its own while the current kind is applied).
 */
export interface ItemSource {
  refs: { idx: number; kind: KindId; ref: string | null }[];
  group(kind: KindId): Promise<SubmissionItem[]>;
}

/** Items already in memory (a check). */
export const itemsAtHand = (items: SubmissionItem[]): ItemSource => ({
  refs: items,
  group: async (kind) => items.filter((item) => item.kind === kind),
});

/** Applies each kind's items in turn; every kind is checked even when an earlier one has errors. */
export async function applyItems(tx: Queryable, items: ItemSource, options: ApplyOptions): Promise<AppliedKind[]> {
  const applied: AppliedKind[] = [];
  // A release's devices become finds with refs `<release ref>-D<n>`: a check need not make them unless an
  // item's find could have such a ref (and so be refused as taken).
  const noDeviceFinds = !items.refs.some((item) => item.kind === 'finds' && /-D\d+\s*$/i.test(item.ref ?? ''));
  // A check whose items are all new records keeps them pending instead of writing them (pending-records.ts):
  // an update or combine changes an official row, and a device's find is made from written releases.
  const allNew = items.refs.every((item) => (options.decided.get(item.idx)?.action ?? 'new') === 'new');
  const pending: PendingRecords | undefined = options.checkOnly && noDeviceFinds && allNew ? { hazards: false, releases: false } : undefined;
  for (const kind of KIND_IDS) {
    if (!items.refs.some((item) => item.kind === kind)) continue;
    const group = await items.group(kind);
    // The import numbers records by their place in what it is given: its decisions are keyed the same way.
    const reconciliation = new Map<number, Reconciliation>();
    group.forEach((item, position) => {
      const decision = options.decided.get(item.idx);
      if (decision) reconciliation.set(position, decision);
    });
    const checker = applied.length === 0 ? options.firstChecker : undefined;
    // The import numbers measures as it numbers records, by place in the group: translated to item indexes.
    // Awaited for its own kind only: the hazards are checked while the releases' measures are being taken.
    const byItem = await options.keptMeasures?.[kind];
    const against = options.measuredAgainst;
    const measuresOf = (item: SubmissionItem): PolygonMeasures | undefined =>
      byItem?.get(item.idx) ?? (against !== undefined && item.measures?.reference === against ? item.measures : undefined);
    const kept = byItem || against !== undefined ? new Map(group.flatMap((item, position) => {
      const measures = measuresOf(item);
      return measures ? [[position, measures] as const] : [];
    })) : undefined;
    const keep = options.keepMeasures ? (measured: Map<number, PolygonMeasures>) => {
      options.keepMeasures!(new Map([...measured].map(([position, measures]) => [group[position]!.idx, measures])));
    } : undefined;
    const report = await importGroup(tx, {
      kind, fileName: options.fileName, text: '', format: options.format, read: group.map((item) => item.record),
      actor: options.actor, today: options.today, submissionId: options.submissionId, reconciliation, defaultOperator: options.defaultOperator,
      checkOnly: options.checkOnly, noDeviceFinds, pending, keptMeasures: kept, keepMeasures: keep,
    }, checker);
    applied.push({ kind, report });
    if (applied.length === 1) options.firstKindDone?.();
  }
  return applied;
}

/** Notes of one code past this many are counted, not listed: 10,000 "updates" notes say nothing more than 10. */
export const NOTES_LISTED_PER_CODE = 10;

/** The notes with at most NOTES_LISTED_PER_CODE of each code, the rest counted in one note ("and 9,990 more"). */
export function capNotes(notes: RecordProblem[]): RecordProblem[] {
  const byCode = new Map<string, RecordProblem[]>();
  for (const note of notes) {
    const list = byCode.get(note.code);
    if (list) list.push(note);
    else byCode.set(note.code, [note]);
  }
  const capped: RecordProblem[] = [];
  for (const [code, list] of byCode) {
    capped.push(...list.slice(0, NOTES_LISTED_PER_CODE));
    const more = list.length - NOTES_LISTED_PER_CODE;
    if (more > 0) capped.push({ severity: 'note', code: list[0]!.code, reason: `and ${more.toLocaleString('en-US')} more ${code} notes` });
  }
  return capped;
}
