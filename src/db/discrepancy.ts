// What the discrepancy report reads from the database: one operator's land releases in the official record,
// placed in cells (province of the hazard, month of end_date, kind) with what the record counts of each;
// the organisation's submissions of releases not approved; and where their items fall and how large they are.
import type { Queryable } from './engine.ts';
import { fromWkbHex, geodesicArea } from './geometry-sql.ts';
import type { OfficialRelease } from '../domain/discrepancy.ts';
import type { SubmissionState } from '../domain/submission-workflow.ts';

export interface ProvinceNames {
  code: string;
  name_en: string;
  name_km: string;
}

export async function provinces(db: Queryable): Promise<ProvinceNames[]> {
  return (await db.query<ProvinceNames>(`select code, name_en, name_km from admin_unit where level = 'province' order by code`)).rows;
}

export async function organisationExists(db: Queryable, code: string): Promise<boolean> {
  return (await db.query('select 1 from organisation where code = $1', [code])).rows.length > 0;
}

/**
 * The operator's releases that ended in the months from..to (YYYY-MM), each in the province of its hazard
 * (the province holding most of the hazard's area: operators report a task under one province), with
 * the area as submitted and the m2 the official record counts of it (release_counted).
 */
export async function officialReleases(db: Queryable, organisation: string, from: string, to: string): Promise<OfficialRelease[]> {
  const result = await db.query<OfficialRelease>(
    `select r.ref, h.province_code, to_char(r.end_date, 'YYYY-MM') as month, r.kind, r.area_m2, c.counted_m2,
            b.submission_id
     from land_release r
     join hazard h on h.id = r.hazard_id
     join release_counted c on c.release_id = r.id
     left join change_batch b on b.id = r.batch_id
     where r.operator_code = $1
       and r.end_date >= to_date($2, 'YYYY-MM') and r.end_date < to_date($3, 'YYYY-MM') + interval '1 month'
     order by r.ref`,
    [organisation, from, to],
  );
  return result.rows;
}

export interface OpenSubmission {
  id: number;
  kind: string;
  state: Exclude<SubmissionState, 'approved'>;
  file_name: string;
  format: string;
  content: string;
}

/** The organisation's submissions of releases that the official record does not hold (not approved). */
export async function unapprovedReleaseSubmissions(db: Queryable, organisation: string): Promise<OpenSubmission[]> {
  const result = await db.query<OpenSubmission>(
    `select id, kind, state, file_name, format, content from submission
     where organisation_code = $1 and kind in ('releases', 'mixed') and state <> 'approved' order by id`,
    [organisation],
  );
  return result.rows;
}

export interface ItemToPlace {
  idx: number;
  ref: string;
  hazard_ref: string;
  /** The item's polygon as hex WKB (wkb.ts). */
  wkb: string;
}

export interface PlacedItem {
  idx: number;
  /** Geodesic area of the item's polygon as submitted. */
  m2: number;
  /** The province of the hazard it names; for a hazard not in the official record, the province its polygon lies in. */
  province_code: string | null;
  /** Its ref is already a release of the official record (the item would update it, not add land). */
  official: boolean;
}

export async function placeItems(db: Queryable, items: ItemToPlace[]): Promise<PlacedItem[]> {
  if (items.length === 0) return [];
  const result = await db.query<PlacedItem>(
    `with item as (
       select i.idx, i.ref, i.hazard_ref, ${fromWkbHex('i.wkb')} as geom
       from jsonb_to_recordset($1::jsonb) as i(idx int, ref text, hazard_ref text, wkb text)
     )
     select i.idx, ${geodesicArea('i.geom')} as m2,
            coalesce(h.province_code,
                     (select p.unit_code from admin_unit_part p
                      where p.level = 'province' and st_covers(p.geom, st_pointonsurface(i.geom)) limit 1)) as province_code,
            exists (select 1 from land_release r where r.ref = i.ref) as official
     from item i left join hazard h on h.ref = i.hazard_ref
     order by i.idx`,
    [JSON.stringify(items)],
  );
  return result.rows;
}
