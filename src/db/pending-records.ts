// The new records of a check that is rolled back (a submission's validation), kept where the later items of
// the same check can find them without being written into the official tables. A new hazard or release
// written there only to be rolled back cost the record's indexes, its history trigger and its foreign keys:
// half a second for 4,000 of each, while the later items need only a hazard's id, version and polygon, and a
// release's hazard (docs/decisions/0022).
//
// Only a check whose items are all new records uses them: an update or a combine changes an official row,
// and is checked by writing it, as an approval would.
import type { Queryable } from './engine.ts';

/** Which kinds have pending rows in the current transaction: the statements that read them ask. */
export interface PendingRecords {
  hazards: boolean;
  releases: boolean;
}

/** Made with the first pending rows of a check (the flags say whether they are made yet). */
async function createPendingRecords(tx: Queryable, pending: PendingRecords): Promise<void> {
  if (pending.hazards || pending.releases) return;
  await tx.query(`create temp table if not exists pending_hazard (
    id bigint primary key, ref text not null unique, version integer not null, geom geometry(MultiPolygon, 4326) not null,
    combined_into bigint) on commit drop`);
  await tx.query(`create temp table if not exists pending_release (
    id bigint primary key, ref text not null unique, hazard_id bigint not null) on commit drop`);
}

/**
 * The hazards as the check sees them: the official ones and its pending ones (columns id, ref, version, geom,
 * combined_into). A pending row has a negative id, so it never meets an official one.
 */
export const hazardsSeen = (pending: PendingRecords | undefined): string =>
  pending?.hazards
    ? '(select id, ref, version, geom, combined_into from hazard union all select id, ref, version, geom, combined_into from pending_hazard)'
    : 'hazard';

/** The land releases as the check sees them (columns id, ref, hazard_id). */
export const releasesSeen = (pending: PendingRecords | undefined): string =>
  pending?.releases
    ? '(select id, ref, hazard_id from land_release union all select id, ref, hazard_id from pending_release)'
    : 'land_release';

/** The staged new hazards, pending: their id is minus (1 + the record's index). */
export async function writePendingHazards(tx: Queryable, pending: PendingRecords): Promise<number> {
  await createPendingRecords(tx, pending);
  const written = await tx.query(
    `insert into pending_hazard (id, ref, version, geom)
     select -(s.idx + 1), s.ref, 1, s.geom from hazard_stage s where s.ok and s.target_id is null`,
  );
  pending.hazards = true;
  return written.rowCount;
}

/** The staged new releases (these indexes), pending. */
export async function writePendingReleases(tx: Queryable, okIdx: number[], pending: PendingRecords): Promise<number> {
  await createPendingRecords(tx, pending);
  const written = await tx.query(
    `insert into pending_release (id, ref, hazard_id)
     select -(s.idx + 1), s.ref, s.hazard_id from release_stage s where s.idx = any($1::int[]) and s.target_id is null`,
    [okIdx],
  );
  pending.releases = true;
  return written.rowCount;
}
