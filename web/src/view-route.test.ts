import { describe, expect, it } from 'vitest';
import { parseRoute, routeHash } from './view-route';
import type { ViewRoute } from './view-route';
import { mayOpen } from './view-access';

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

describe('the views each role is offered', () => {
  it('shows a visitor the published map only', () => {
    expect(mayOpen('map', null)).toBe(true);
    for (const view of ['submissions', 'review-queue', 'audit', 'discrepancy'] as const) expect(mayOpen(view, null), view).toBe(false);
  });

  it('gives operators their submissions and figures, the authority’s reviewers the queue and the log', () => {
    expect(mayOpen('submissions', 'operator_data_officer')).toBe(true);
    expect(mayOpen('review-queue', 'operator_data_officer')).toBe(false);
    expect(mayOpen('audit', 'operator_data_officer')).toBe(false);
    expect(mayOpen('discrepancy', 'operator_viewer')).toBe(true);
    expect(mayOpen('review-queue', 'authority_reviewer')).toBe(true);
    expect(mayOpen('audit', 'authority_reviewer')).toBe(true);
    expect(mayOpen('submissions', 'authority_reviewer')).toBe(false);
    expect(mayOpen('discrepancy', 'donor_viewer')).toBe(false);
  });
});
