import { useTranslation } from 'react-i18next';
import type { AdminUnitCollection } from './api';
import { NewSubmission } from './new-submission';
import { fetchSubmissions } from './submission-api';
import { SubmissionList } from './submission-list';
import type { Session } from './session-api';
import { useApi } from './use-api';
import { mayPrepare } from './view-access';

export interface SubmissionsViewProps {
  session: Session;
  /** For the form's map: the basemap (null when there is none, undefined until the config arrives) and our own boundaries. */
  basemapUrl: string | null | undefined;
  provinces: AdminUnitCollection | null;
  districts: AdminUnitCollection | null;
  onOpen: (id: number) => void;
}

/** An organisation's submissions: a new one from a file or a form, and every one so far with where it stands. */
export function SubmissionsView({ session, basemapUrl, provinces, districts, onOpen }: SubmissionsViewProps) {
  const { t } = useTranslation();
  const submissions = useApi(`submissions:${session.user.username}`, (signal) => fetchSubmissions(null, signal));
  const maySubmit = mayPrepare(session.access);
  return (
    <main className="page" data-testid="submissions-view">
      <header className="page__header">
        <h1>{t('submissions.title')}</h1>
        <p className="muted">{t('submissions.explanation', { organisation: session.user.organisation })}</p>
      </header>
      {maySubmit ? (
        <NewSubmission session={session} basemapUrl={basemapUrl} provinces={provinces} districts={districts} onCreated={(submission) => onOpen(submission.id)} />
      ) : null}
      <section className="card">
        <h2 className="card__title">{t('submissions.list')}</h2>
        {submissions.state === 'loading' ? <p className="muted">{t('common.loading')}</p> : null}
        {submissions.state === 'failed' ? (
          <p className="error" role="alert">
            {t('common.failed', { reason: submissions.error.message })}
          </p>
        ) : null}
        {submissions.state === 'ready' && submissions.data.length === 0 ? <p className="muted">{t('submissions.none')}</p> : null}
        {submissions.state === 'ready' && submissions.data.length > 0 ? (
          <SubmissionList submissions={submissions.data} onOpen={onOpen} testId="submission-list" />
        ) : null}
      </section>
    </main>
  );
}
