// What a submission would change, item by item, against the official record as it is now: the record with
// the same ref (the item would update it), or official records of the same kind its geometry overlaps
// (candidates to update or, for hazards, to combine), with the overlap in m2. For a hazard, also the land
// already released on it and how much of that would lie outside the item's polygon: an update or combine
// with that polygon would stop counting it, and the reviewer should see so before approving.
import { kindOf, type KindId } from '../kinds/registry.ts';
import type { Queryable } from './engine.ts';
import { difference, fromWkbHex, geodesicArea, intersection } from './geometry-sql.ts';

export interface ReviewItemInput {
  idx: number;
  ref: string | null;
  wkb: string | null;
}

/** Land released on an official hazard (counted m2), and the part of it outside the item's polygon. */
export interface ReleasedLand {
  released_m2: number;
  released_outside_m2: number;
}

export interface OfficialCounterpart extends Partial<ReleasedLand> {
  ref: string;
  version: number;
  attributes: Record<string, unknown>;
  geometry: unknown;
}

export interface Overlap extends Partial<ReleasedLand> {
  ref: string;
  version: number;
  overlap_m2: number;
  geometry: unknown;
}

/** Suggestions per item: the official records it overlaps most, biggest overlap first. */
const MAX_OVERLAPS = 5;

export async function officialCounterparts(tx: Queryable, kind: KindId, items: ReviewItemInput[]): Promise<{ existing: Map<number, OfficialCounterpart>; overlaps: Map<number, Overlap[]> }> {
  await tx.query(`create temp table if not exists review_item (idx integer primary key, ref text, geom geometry(MultiPolygon, 4326)) on commit drop`);
  await tx.query('truncate review_item');
  await tx.query(
    `insert into review_item (idx, ref, geom)
     select r.idx, r.ref, case when r.wkb is null then null else ${fromWkbHex('r.wkb')} end
     from json_to_recordset($1::json) as r(idx integer, ref text, wkb text)`,
    [JSON.stringify(items)],
  );
  const { table } = kindOf(kind);
  const attributes = kind === 'hazards'
    ? `json_build_object('type', o.type, 'status', o.status, 'contamination', o.contamination, 'source', o.source, 'recorded_on', o.recorded_on,
         'operator', o.operator_code, 'village_code', o.village_code, 'notes', o.notes, 'area_m2', o.area_m2)`
    : kind === 'releases'
    ? `json_build_object('hazard_id', o.hazard_id, 'hazard_ref', (select h.ref from hazard h where h.id = o.hazard_id), 'kind', o.kind, 'method', o.method, 'operator', o.operator_code, 'start_date', o.start_date,
         'end_date', o.end_date, 'devices', o.devices, 'area_m2', o.area_m2)`
    // A kind declared later: its columns as they are, less the bookkeeping and the geometry (sent apart).
    : `to_jsonb(o) - 'id' - 'geom' - 'version' - 'changed_at' - 'changed_by' - 'change_reason' - 'batch_id'`;
  const existing = await tx.query<{ idx: number } & OfficialCounterpart>(
    `select i.idx, o.ref, o.version, ${attributes} as attributes, st_asgeojson(o.geom, 6)::json as geometry
     from review_item i join ${table} o on o.ref = i.ref`,
  );
  // Only valid polygons can be measured; an invalid item already carries its validation error. Hazards are
  // compared with hazards still in the record (not combined ones), releases with releases.
  const live = kindOf(kind).statusColumn ? `and o.status <> 'combined'` : '';
  const found = await tx.query<{ idx: number } & Overlap>(
    `select i.idx, o.ref, o.version, ${geodesicArea(intersection('i.geom', 'o.geom'))} as overlap_m2,
            st_asgeojson(o.geom, 6)::json as geometry
     from review_item i join ${table} o on st_intersects(i.geom, o.geom)
     where i.geom is not null and st_isvalid(i.geom) and o.ref is distinct from i.ref ${live}
     order by i.idx, overlap_m2 desc, o.ref`,
  );
  const overlaps = new Map<number, Overlap[]>();
  for (const { idx, ...row } of found.rows) {
    if (row.overlap_m2 <= 0) continue;
    const list = overlaps.get(idx) ?? [];
    if (list.length < MAX_OVERLAPS) list.push(row);
    overlaps.set(idx, list);
  }
  const counterparts = new Map(existing.rows.map(({ idx, ...counterpart }) => [idx, counterpart as OfficialCounterpart]));
  if (kind === 'hazards') {
    const pairs = [
      ...[...counterparts].map(([idx, c]) => ({ idx, ref: c.ref })),
      ...[...overlaps].flatMap(([idx, list]) => list.map((o) => ({ idx, ref: o.ref }))),
    ];
    const released = await releasedLand(tx, pairs);
    const of = (idx: number, ref: string): ReleasedLand => released.get(`${idx} ${ref}`) ?? { released_m2: 0, released_outside_m2: 0 };
    for (const [idx, c] of counterparts) Object.assign(c, of(idx, c.ref));
    for (const [idx, list] of overlaps) for (const o of list) Object.assign(o, of(idx, o.ref));
  }
  return { existing: counterparts, overlaps };
}

/**
 * For each (item, official hazard) pair: the m2 its releases count, and the part of those counted pieces
 * outside the item's polygon (the staged review_item geometry). Only valid item polygons are measured.
 */
async function releasedLand(tx: Queryable, pairs: { idx: number; ref: string }[]): Promise<Map<string, ReleasedLand>> {
  if (pairs.length === 0) return new Map();
  const result = await tx.query<{ idx: number; ref: string } & ReleasedLand>(
    `select p.idx, p.ref, sum(c.counted_m2) as released_m2,
            sum(case when st_covers(i.geom, c.counted_geom) then 0 else ${geodesicArea(difference('c.counted_geom', 'i.geom'))} end) as released_outside_m2
     from json_to_recordset($1::json) as p(idx integer, ref text)
     join review_item i on i.idx = p.idx
     join hazard h on h.ref = p.ref
     join release_counted c on c.hazard_id = h.id and c.counted_m2 > 0
     where i.geom is not null and st_isvalid(i.geom)
     group by p.idx, p.ref`,
    [JSON.stringify(pairs)],
  );
  return new Map(result.rows.map((r) => [`${r.idx} ${r.ref}`, { released_m2: r.released_m2, released_outside_m2: r.released_outside_m2 }]));
}
