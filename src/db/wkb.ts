// Polygons travel to PostgreSQL as WKB (hex) rather than GeoJSON text: the server reads binary doubles
// instead of parsing decimal text, which made staging 100,000 hazards measurably faster (bench/).
// Only what imports send: Polygon and MultiPolygon, two dimensions (a Z value is dropped, as ST_Force2D would).
import type { MultiPolygon, Polygon, Position } from 'geojson';

const WKB_POLYGON = 3;
const WKB_MULTIPOLYGON = 6;

function polygonSize(rings: Position[][]): number {
  let size = 1 + 4 + 4;
  for (const ring of rings) size += 4 + ring.length * 16;
  return size;
}

function writePolygon(view: DataView, offset: number, rings: Position[][]): number {
  view.setUint8(offset, 1);
  view.setUint32(offset + 1, WKB_POLYGON, true);
  view.setUint32(offset + 5, rings.length, true);
  offset += 9;
  for (const ring of rings) {
    view.setUint32(offset, ring.length, true);
    offset += 4;
    for (const position of ring) {
      view.setFloat64(offset, position[0]!, true);
      view.setFloat64(offset + 8, position[1]!, true);
      offset += 16;
    }
  }
  return offset;
}

/** The geometry as little-endian WKB, hex-encoded (read with ST_GeomFromWKB(decode(hex, 'hex'))). */
export function polygonToWkbHex(geometry: Polygon | MultiPolygon): string {
  const polygons = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
  const size = geometry.type === 'Polygon' ? polygonSize(geometry.coordinates) : 9 + polygons.reduce((total, rings) => total + polygonSize(rings), 0);
  const buffer = Buffer.alloc(size);
  const view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  if (geometry.type === 'Polygon') {
    writePolygon(view, 0, geometry.coordinates);
  } else {
    view.setUint8(0, 1);
    view.setUint32(1, WKB_MULTIPOLYGON, true);
    view.setUint32(5, polygons.length, true);
    let offset = 9;
    for (const rings of polygons) offset = writePolygon(view, offset, rings);
  }
  return buffer.toString('hex');
}
