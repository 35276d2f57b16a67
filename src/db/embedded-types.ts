// How both engines turn PostgreSQL values into JavaScript ones. The embedded engine's parsers live apart
// from engine.ts because its worker thread (embedded-worker.ts) needs them without the rest of the engine.

// 64-bit integers and numerics as numbers (our counts and areas stay far below 2^53), dates as 'YYYY-MM-DD'
// strings (no time zone drift), timestamps as ISO strings.
export const OID = { int8: 20, numeric: 1700, date: 1082, timestamptz: 1184, timestamp: 1114 } as const;
export const toNumber = (value: string): number => Number(value);
export const toIsoTimestamp = (value: string): string => new Date(value).toISOString();
export const keepText = (value: string): string => value;

export const pgliteParsers = {
  [OID.int8]: toNumber,
  [OID.numeric]: toNumber,
  [OID.date]: keepText,
  [OID.timestamptz]: toIsoTimestamp,
  [OID.timestamp]: keepText,
};
