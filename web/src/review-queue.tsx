import { useTranslation } from 'react-i18next';
import { fetchSubmissions } from './submission-api';
import { SubmissionList } from './submission-list';
import { useApi } from './use-api';

/** The reviewer's queue: every submission waiting for a decision, oldest waiting last as the server lists them. */
export function ReviewQueue({ onOpen }: { onOpen: (id: number) => void }) {
  const { t } = useTranslation();
  const queue = useApi('review-queue', (signal) => fetchSubmissions('submitted', signal));
  return (
    <main className="page" data-testid="review-queue">
      <header className="page__header">
        <h1>{t('reviewQueue.title')}</h1>
        <p className="muted">{t('reviewQueue.explanation')}</p>
      </header>
      <section className="card">
        {queue.state === 'loading' ? <p className="muted">{t('common.loading')}</p> : null}
        {queue.state === 'failed' ? (
          <p className="error" role="alert">
            {t('common.failed', { reason: queue.error.message })}
          </p>
        ) : null}
        {queue.state === 'ready' && queue.data.length === 0 ? <p className="muted">{t('reviewQueue.empty')}</p> : null}
        {queue.state === 'ready' && queue.data.length > 0 ? <SubmissionList submissions={queue.data} onOpen={onOpen} testId="review-queue-list" /> : null}
      </section>
    </main>
  );
}
