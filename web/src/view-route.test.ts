import { describe, expect, it } from 'vitest';
import { parseRoute, routeHash } from './view-route';
import type { ViewRoute } from './view-route';
import { mayOpen } from './view-access';
import type { Access } from './view-access';

describe('the view in the address', () => {
  it('reads every view back from the hash it writes', () => {
    const routes: ViewRoute[] = [
      { view: 'map' },
      { view: 'submissions' },
      { view: 'submission', id: 12 },
      { view: 'review-queue' },
      { view: 'review', id: 7 },
      { view: 'audit' },
      { view: 'discrepancy' },
      { view: 'records', kind: 'finds' },
      { view: 'records', kind: 'finds', ref: 'LR-0002-D1' },
    ];
    for (const route of routes) expect(parseRoute(routeHash(route))).toEqual(route);
  });

  it('opens the map for an empty, unknown or malformed address', () => {
    for (const hash of ['', '#', '#/', '#/nowhere', '#/review/abc', '#/review/7/more', '#/audit/3']) {
      expect(parseRoute(hash), hash).toEqual({ view: 'map' });
    }
  });
});

describe('the views the page offers', () => {
  const views = { map: true, records: true, submissions: false, submission: false, 'review-queue': true, review: true, audit: true, discrepancy: false };
  const access = { signed_in: true, role: 'authority_reviewer', organisation: 'CMAA', views, actions: {}, kinds: {} } as unknown as Access;

  it('offers a visitor the published record only', () => {
    expect(mayOpen('map', null)).toBe(true);
    expect(mayOpen('records', null)).toBe(true);
    for (const view of ['submissions', 'review-queue', 'audit', 'discrepancy'] as const) expect(mayOpen(view, null), view).toBe(false);
  });

  it('offers exactly the views the server says the caller may open (GET /api/access), keeping no rule of its own', () => {
    for (const [view, open] of Object.entries(views)) expect(mayOpen(view as keyof typeof views, access), view).toBe(open);
  });
});
