// Every list route is paginated: a GET route either takes the page parameters (limit with a largest page,
// offset) or says why its answer is not a list that grows with the record. A new list route without them
// fails here before anyone meets a 50 MB answer.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ROUTES } from './routes.ts';

const name = (spec: { method: string; path: string }) => `${spec.method} ${spec.path}`;

function pageParameters(query: z.ZodType | undefined): { limit: boolean; offset: boolean; bounded: boolean } {
  const shape = query instanceof z.ZodObject ? (query.shape as Record<string, z.ZodType>) : {};
  const limit = shape.limit;
  const offset = shape.offset;
  return {
    limit: limit !== undefined,
    offset: offset !== undefined,
    // A page without a largest size is no bound at all.
    bounded: limit !== undefined && !limit.safeParse('1000000000').success && limit.safeParse(undefined).success,
  };
}

describe('list routes', () => {
  it('every GET route is paginated with a bounded page, or says why its answer is not a list', () => {
    const unpaginated = ROUTES.filter((spec) => spec.method === 'GET' && !spec.unpaged)
      .filter((spec) => {
        const p = pageParameters(spec.query);
        return !(p.limit && p.offset && p.bounded);
      })
      .map(name);
    expect(unpaginated).toEqual([]);
  });

  it('no route both takes page parameters and says it is not a list, and only GET routes say so', () => {
    const confused = ROUTES.filter((spec) => spec.unpaged && (spec.method !== 'GET' || pageParameters(spec.query).limit)).map(name);
    expect(confused).toEqual([]);
  });

  it('names the lists it pages (a route dropped from the walk would go unnoticed otherwise)', () => {
    const paged = ROUTES.filter((spec) => spec.method === 'GET' && !spec.unpaged).map((spec) => spec.path);
    expect(paged).toEqual(expect.arrayContaining([
      '/api/submissions', '/api/submissions/:id/items', '/api/organisations', '/api/admin-units', '/api/hazards',
      '/api/hazards/:ref/history', '/api/releases', '/api/releases/:ref/history', '/api/reports/land-release/releases',
      '/api/audit', '/api/finds', '/api/finds/:ref/history', '/api/reports/frozen',
    ]));
  });
});
