// Use cases that read the official record. The API and CLI come through here, never to db/ directly.
import type { Database } from '../db/engine.ts';
import * as queries from '../db/hazard-queries.ts';
import { loadOrganisations } from '../db/reference-data.ts';
import { recordAuditEvent } from '../db/change-batch.ts';
import { ClearwayError } from '../domain/problems.ts';

export type { HazardFilter, ReleaseFilter, HazardDetail } from '../db/hazard-queries.ts';

export const countHazards = queries.countHazards;
export const hazardsGeoJson = queries.hazardsGeoJson;
export const listHazards = queries.listHazards;
export const listReleases = queries.listReleases;
export const adminUnitsGeoJson = queries.adminUnitsGeoJson;
export const adminUnitsList = queries.adminUnitsList;

export async function hazardDetail(db: Database, ref: string): Promise<queries.HazardDetail> {
  const detail = await queries.hazardDetail(db, ref);
  if (!detail) throw new ClearwayError('not-found', `No hazard has the ref ${ref}`, 404, { ref });
  return detail;
}

export async function engineVersions(db: Database): Promise<{ postgres: string; postgis: string }> {
  const result = await db.query<{ postgres: string; postgis: string }>(
    `select current_setting('server_version') as postgres, postgis_lib_version() as postgis`,
  );
  const row = result.rows[0];
  if (!row) throw new Error('no version row');
  return row;
}

export interface Organisation {
  code: string;
  name: string;
  kind: string;
}

export async function listOrganisations(db: Database): Promise<Organisation[]> {
  return (await db.query<Organisation>('select code, name, kind from organisation order by code')).rows;
}

export async function addOrganisation(db: Database, organisation: Organisation, actor: string): Promise<void> {
  await db.transaction(async (tx) => {
    const exists = await tx.query('select 1 from organisation where code = $1', [organisation.code]);
    if (exists.rows.length > 0) throw new ClearwayError('field.taken', `An organisation with the code ${organisation.code} already exists`, 409, { field: 'code' });
    await loadOrganisations(tx, [organisation]);
    await recordAuditEvent(tx, { actor, action: 'organisation.add', entity: 'organisation', entityRef: organisation.code, details: { ...organisation } });
  });
}
