import { describe, expect, it } from 'vitest';
import { cornerCount, parsePastedGeometry } from './pasted-geometry';

const ring = [
  [102.95, 13.05],
  [102.96, 13.05],
  [102.96, 13.06],
  [102.95, 13.05],
];

describe('a polygon pasted as WKT', () => {
  it('is read as PostGIS and the exchange format write it', () => {
    expect(parsePastedGeometry('POLYGON((102.95 13.05,102.96 13.05,102.96 13.06,102.95 13.05))')).toEqual({
      valid: true,
      format: 'wkt',
      geometry: { type: 'Polygon', coordinates: [ring] },
    });
  });

  it('is read as QGIS copies it: mixed case, spaces, line breaks', () => {
    const pasted = 'Polygon ((102.95 13.05, 102.96 13.05,\n 102.96 13.06, 102.95 13.05))';
    expect(parsePastedGeometry(pasted)).toMatchObject({ valid: true, geometry: { type: 'Polygon', coordinates: [ring] } });
  });

  it('keeps longitude and latitude of a GPS unit\'s 3D or measured positions', () => {
    for (const pasted of [
      'POLYGON Z ((102.95 13.05 12, 102.96 13.05 14, 102.96 13.06 11, 102.95 13.05 12))',
      'PolygonZ ((102.95 13.05 12, 102.96 13.05 14, 102.96 13.06 11, 102.95 13.05 12))',
      'POLYGON ZM ((102.95 13.05 12 1, 102.96 13.05 14 2, 102.96 13.06 11 3, 102.95 13.05 12 4))',
    ]) {
      expect(parsePastedGeometry(pasted), pasted).toMatchObject({ valid: true, geometry: { type: 'Polygon', coordinates: [ring] } });
    }
  });

  it('reads holes, multipolygons, exponents and an EWKT prefix in WGS84', () => {
    const holed = parsePastedGeometry('POLYGON((0 0,10 0,10 10,0 0),(1 1,2 1,2 2,1 1))');
    expect(holed).toMatchObject({ valid: true, geometry: { coordinates: [[[0, 0], [10, 0], [10, 10], [0, 0]], [[1, 1], [2, 1], [2, 2], [1, 1]]] } });
    const multi = parsePastedGeometry('SRID=4326;MULTIPOLYGON(((1.5e2 -1,2 1,3 3,1.5e2 -1)),((4 4,5 4,5 5,4 4)));');
    expect(multi).toMatchObject({ valid: true, geometry: { type: 'MultiPolygon', coordinates: [[[[150, -1], [2, 1], [3, 3], [150, -1]]], [[[4, 4], [5, 4], [5, 5], [4, 4]]]] } });
  });

  it('leaves an unclosed ring as it is: the server reports it, as it would in a file', () => {
    expect(parsePastedGeometry('POLYGON((0 0,1 0,1 1))')).toMatchObject({ valid: true, geometry: { coordinates: [[[0, 0], [1, 0], [1, 1]]] } });
  });

  it('says why a text cannot be read', () => {
    expect(parsePastedGeometry('   ')).toEqual({ valid: false, reason: 'empty', detail: '' });
    expect(parsePastedGeometry('POLYGON EMPTY')).toMatchObject({ valid: false, reason: 'empty' });
    expect(parsePastedGeometry('POINT(102.95 13.05)')).toEqual({ valid: false, reason: 'not-polygon', detail: 'POINT' });
    expect(parsePastedGeometry('LINESTRING(0 0,1 1)')).toMatchObject({ valid: false, reason: 'not-polygon' });
    expect(parsePastedGeometry('POLYGON((102.95 13.05,102.96))')).toMatchObject({ valid: false, reason: 'wkt-malformed', detail: 'expected a number at "))"' });
    expect(parsePastedGeometry('POLYGON((0 0,1 0,1 1,0 0)')).toMatchObject({ valid: false, reason: 'wkt-malformed', detail: 'expected ")" at the end' });
    expect(parsePastedGeometry('POLYGON((0 0,1 0,1 1,0 0)) and more')).toMatchObject({ valid: false, reason: 'wkt-malformed' });
    expect(parsePastedGeometry('POLYGON((0,0 1,0 1,1 0,0))')).toMatchObject({ valid: false, reason: 'wkt-malformed' });
    expect(parsePastedGeometry('SRID=32648;POLYGON((300000 1440000,300100 1440000,300100 1440100,300000 1440000))')).toEqual({
      valid: false,
      reason: 'other-crs',
      detail: 'EPSG:32648',
    });
  });
});

describe('a polygon pasted as GeoJSON', () => {
  const polygon = { type: 'Polygon', coordinates: [ring] };

  it('is read from a geometry, a Feature or a FeatureCollection of one feature', () => {
    for (const document of [polygon, { type: 'Feature', properties: {}, geometry: polygon }, { type: 'FeatureCollection', features: [{ type: 'Feature', properties: null, geometry: polygon }] }]) {
      expect(parsePastedGeometry(JSON.stringify(document, null, 2))).toEqual({ valid: true, format: 'geojson', geometry: polygon });
    }
  });

  it('reads a MultiPolygon, and keeps only longitude and latitude', () => {
    const pasted = JSON.stringify({ type: 'MultiPolygon', coordinates: [[ring.map(([lon, lat]) => [lon, lat, 20])]] });
    expect(parsePastedGeometry(pasted)).toEqual({ valid: true, format: 'geojson', geometry: { type: 'MultiPolygon', coordinates: [[ring]] } });
  });

  it('says why a document cannot be read', () => {
    expect(parsePastedGeometry('{"type": "Polygon", "coordinates": [[[1, 2], [3, 4]]')).toMatchObject({ valid: false, reason: 'geojson-malformed' });
    expect(parsePastedGeometry('{"type": "Point", "coordinates": [1, 2]}')).toEqual({ valid: false, reason: 'not-polygon', detail: 'Point' });
    expect(parsePastedGeometry('{"type": "Polygon", "coordinates": [[[1, "2"], [3, 4]]]}')).toMatchObject({ valid: false, reason: 'geojson-malformed' });
    expect(parsePastedGeometry('{"type": "FeatureCollection", "features": []}')).toMatchObject({ valid: false, reason: 'empty' });
    const two = { type: 'FeatureCollection', features: [{ type: 'Feature', geometry: polygon }, { type: 'Feature', geometry: polygon }] };
    expect(parsePastedGeometry(JSON.stringify(two))).toEqual({ valid: false, reason: 'several-features', detail: '2' });
    expect(parsePastedGeometry('{"type": "Feature", "geometry": null}')).toMatchObject({ valid: false, reason: 'empty' });
  });

  it('refuses coordinates in another reference system (a UTM export from QGIS)', () => {
    const utm = { type: 'FeatureCollection', crs: { type: 'name', properties: { name: 'urn:ogc:def:crs:EPSG::32648' } }, features: [{ type: 'Feature', geometry: polygon }] };
    expect(parsePastedGeometry(JSON.stringify(utm))).toEqual({ valid: false, reason: 'other-crs', detail: 'urn:ogc:def:crs:EPSG::32648' });
    const wgs84 = { ...utm, crs: { type: 'name', properties: { name: 'urn:ogc:def:crs:OGC:1.3:CRS84' } } };
    expect(parsePastedGeometry(JSON.stringify(wgs84))).toMatchObject({ valid: true });
  });
});

describe('the corners of a polygon', () => {
  it('are counted without the closing repeat', () => {
    expect(cornerCount({ type: 'Polygon', coordinates: [ring] })).toBe(3);
    expect(cornerCount({ type: 'MultiPolygon', coordinates: [[ring], [ring.slice(0, 3)]] })).toBe(6);
  });
});
