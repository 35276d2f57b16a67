import { useTranslation } from 'react-i18next';
import { mayOpen, tabViews } from './view-access';
import type { Access } from './view-access';
import { routeHash } from './view-route';
import type { ViewName, ViewRoute } from './view-route';

/** The tab each view belongs to: one submission belongs to the list it was opened from. */
function tabOf(view: ViewName): ViewName {
  if (view === 'submission') return 'submissions';
  if (view === 'review') return 'review-queue';
  return view;
}

/** The views a signed-in person may switch between; a visitor has only the map, so sees no tabs. */
export function ViewTabs({ access, route, onNavigate }: { access: Access; route: ViewRoute; onNavigate: (route: ViewRoute) => void }) {
  const { t } = useTranslation();
  const views = tabViews.filter((view) => mayOpen(view, access));
  if (views.length <= 1) return null;
  const active = tabOf(route.view);
  return (
    <nav className="view-tabs" aria-label={t('views.label')} data-testid="view-tabs">
      {views.map((view) => {
        const target = (view === 'records' ? { view, kind: 'hazards' } : { view }) as ViewRoute;
        return (
          <a
            key={view}
            href={routeHash(target)}
            className={view === active ? 'is-active' : undefined}
            aria-current={view === active ? 'page' : undefined}
            onClick={(event) => {
              event.preventDefault();
              onNavigate(target);
            }}
            data-testid={`view-${view}`}
          >
            {t(`views.${view}`)}
          </a>
        );
      })}
    </nav>
  );
}
