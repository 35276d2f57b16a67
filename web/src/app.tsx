import { useTranslation } from 'react-i18next';
import { fetchAdminUnits, fetchConfig, fetchHealth } from './api';
import type { AdminUnitCollection } from './api';
import { AuditView } from './audit-view';
import { DiscrepancyView } from './discrepancy-view';
import { LanguageSwitch } from './language-switch';
import { MapView } from './map-view';
import { RecordsView } from './kinds/records-view';
import { ReviewPage } from './review-page';
import { ReviewQueue } from './review-queue';
import { useSession } from './session';
import { SessionBar } from './session-bar';
import type { Session } from './session-api';
import { SubmissionPage } from './submission-page';
import { SubmissionsView } from './submissions-view';
import type { Loaded } from './use-api';
import { useApi } from './use-api';
import { mayOpen } from './view-access';
import { useViewRoute } from './view-route';
import type { ViewRoute } from './view-route';
import { ViewTabs } from './view-tabs';

function DatabaseStatus() {
  const { t } = useTranslation();
  const health = useApi('health', (signal) => fetchHealth(signal));
  if (health.state === 'loading') return null;
  if (health.state === 'failed') return <span className="error">{t('status.unreachable')}</span>;
  const { engine, postgres, postgis } = health.data;
  return <span>{t('status.database', { engine: t(`status.engine.${engine}`, { defaultValue: engine }), postgres, postgis })}</span>;
}

interface ReferenceData {
  basemapUrl: string | null | undefined;
  provinces: Loaded<AdminUnitCollection>;
  districts: Loaded<AdminUnitCollection>;
}

/** A view that needs an account the visitor does not have (or a role they lack): say so, and how to get in. */
function NotAllowed({ signedIn }: { signedIn: boolean }) {
  const { t } = useTranslation();
  return (
    <main className="page">
      <p className="notice" data-testid="not-allowed">
        {signedIn ? t('views.notAllowed') : t('views.signInFirst')}
      </p>
    </main>
  );
}

function CurrentView({ route, session, reference, navigate }: { route: ViewRoute; session: Session | null; reference: ReferenceData; navigate: (route: ViewRoute) => void }) {
  if (route.view === 'map') return <MapView {...reference} />;
  if (route.view === 'records') return <RecordsView kind={route.kind} recordRef={route.ref} navigate={navigate} />;
  if (!session || !mayOpen(route.view, session.access)) return <NotAllowed signedIn={session !== null} />;
  switch (route.view) {
    case 'submissions':
      return (
        <SubmissionsView
          session={session}
          basemapUrl={reference.basemapUrl}
          provinces={reference.provinces.state === 'ready' ? reference.provinces.data : null}
          districts={reference.districts.state === 'ready' ? reference.districts.data : null}
          onOpen={(id) => navigate({ view: 'submission', id })}
        />
      );
    case 'submission':
      return (
        <SubmissionPage
          key={route.id}
          id={route.id}
          session={session}
          map={{
            basemapUrl: reference.basemapUrl,
            provinces: reference.provinces.state === 'ready' ? reference.provinces.data : null,
            districts: reference.districts.state === 'ready' ? reference.districts.data : null,
          }}
          onBack={() => navigate({ view: 'submissions' })}
        />
      );
    case 'review-queue':
      return <ReviewQueue onOpen={(id) => navigate({ view: 'review', id })} />;
    case 'review':
      return (
        <ReviewPage
          key={route.id}
          id={route.id}
          session={session}
          basemapUrl={reference.basemapUrl ?? null}
          provinces={reference.provinces.state === 'ready' ? reference.provinces.data : null}
          districts={reference.districts.state === 'ready' ? reference.districts.data : null}
          onBack={() => navigate({ view: 'review-queue' })}
        />
      );
    case 'audit':
      return <AuditView />;
    case 'discrepancy':
      return <DiscrepancyView session={session} />;
  }
}

export function App() {
  const { t } = useTranslation();
  const { session } = useSession();
  const [route, navigate] = useViewRoute();
  // Reference data is loaded once for every view: the province outlines alone are 2 MB.
  const config = useApi('config', (signal) => fetchConfig(signal));
  const provinces = useApi('province', (signal) => fetchAdminUnits('province', signal));
  const districts = useApi('district', (signal) => fetchAdminUnits('district', signal));
  // The basemap is optional: if the config cannot be read, the map still works offline without it.
  const basemapUrl = config.state === 'loading' ? undefined : config.state === 'ready' ? config.data.basemapUrl : null;
  const reference: ReferenceData = { basemapUrl, provinces, districts };

  return (
    <div className="layout">
      <header className="topbar">
        <div className="topbar__brand">
          <a className="topbar__name" href="#/" onClick={() => navigate({ view: 'map' })}>
            {t('app.name')}
          </a>
          <span className="topbar__tagline">{t('app.tagline')}</span>
        </div>
        <div className="topbar__end">
          <SessionBar onSignedOut={() => navigate({ view: 'map' })} />
          <LanguageSwitch />
        </div>
      </header>
      {session ? <ViewTabs access={session.access} route={route} onNavigate={navigate} /> : null}
      {/* Until the server has said who is signed in, a protected view waits rather than asking to sign in. */}
      {session === undefined && route.view !== 'map' ? null : (
        <CurrentView route={route} session={session ?? null} reference={reference} navigate={navigate} />
      )}
      <footer className="statusbar">
        <DatabaseStatus />
      </footer>
    </div>
  );
}
