import fs from 'node:fs';
import { openClearway } from './src/app/open.ts';
import { importRecords } from './src/app/import-records.ts';
const { db } = await openClearway({ dataDir: '/tmp/cw-t4' });
for (const kind of ['hazards','releases'] as const) {
  const file = `test/fixtures/${kind}-small.geojson`;
  const r = await importRecords(db, { kind, fileName: file, text: fs.readFileSync(file,'utf8'), actor: 'test', today: '2026-11-22' });
  console.log(JSON.stringify(r, null, 1).slice(0, 3000));
}
console.log((await db.query('select ref, status, version, province_code, district_code, commune_code, village_code, round(area_m2) a from hazard order by ref')).rows);
console.log((await db.query('select * from hazard_accounting')).rows);
console.log((await db.query('select hazard_id, level, unit_code, round(original_m2::numeric,3) o, round(cleared_m2::numeric,3) c from hazard_unit_share order by 1,2')).rows);
