// Which view the page shows, kept in the address's hash (#/review/12) so that a view can be bookmarked, sent
// to a colleague, reloaded, and left with the browser's back button. No router library: seven views need none.
import { useCallback, useEffect, useState } from 'react';

export type ViewRoute =
  | { view: 'map' }
  | { view: 'submissions' }
  | { view: 'submission'; id: number }
  | { view: 'review-queue' }
  | { view: 'review'; id: number }
  | { view: 'audit' }
  | { view: 'discrepancy' }
  /** The official record of one kind (hazards, releases, finds...), and one record's history. */
  | { view: 'records'; kind: string; ref?: string };

export type ViewName = ViewRoute['view'];

const withId = { submissions: 'submission', review: 'review' } as const;
const plain: Record<string, ViewRoute> = {
  '': { view: 'map' },
  map: { view: 'map' },
  submissions: { view: 'submissions' },
  review: { view: 'review-queue' },
  audit: { view: 'audit' },
  discrepancy: { view: 'discrepancy' },
};

export function parseRoute(hash: string): ViewRoute {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean);
  const [first = '', second] = parts;
  if (first === 'records' && parts.length <= 3) {
    const [, kind = 'hazards', ref] = parts;
    if (/^[a-z]+$/.test(kind) && (ref === undefined || /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(decodeURIComponent(ref)))) {
      return ref === undefined ? { view: 'records', kind } : { view: 'records', kind, ref: decodeURIComponent(ref) };
    }
  }
  if (parts.length === 2 && second !== undefined && (first === 'submissions' || first === 'review') && /^\d+$/.test(second)) {
    return { view: withId[first], id: Number(second) };
  }
  return (parts.length <= 1 ? plain[first] : undefined) ?? { view: 'map' };
}

export function routeHash(route: ViewRoute): string {
  switch (route.view) {
    case 'map':
      return '#/';
    case 'submissions':
      return '#/submissions';
    case 'submission':
      return `#/submissions/${route.id}`;
    case 'review-queue':
      return '#/review';
    case 'review':
      return `#/review/${route.id}`;
    case 'audit':
      return '#/audit';
    case 'discrepancy':
      return '#/discrepancy';
    case 'records':
      return route.ref === undefined ? `#/records/${route.kind}` : `#/records/${route.kind}/${encodeURIComponent(route.ref)}`;
  }
}

export function useViewRoute(): [ViewRoute, (route: ViewRoute) => void] {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const follow = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', follow);
    return () => window.removeEventListener('hashchange', follow);
  }, []);
  const navigate = useCallback((next: ViewRoute) => {
    const hash = routeHash(next);
    if (window.location.hash !== hash) window.location.hash = hash;
    setRoute(next);
  }, []);
  return [route, navigate];
}
