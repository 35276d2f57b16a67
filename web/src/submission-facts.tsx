import { useTranslation } from 'react-i18next';
import { formatTimestamp } from './format';
import type { Submission } from './submission-api';

/** Who made, submitted and decided a submission, and when: the four eyes, visible. */
export function SubmissionFacts({ submission }: { submission: Submission }) {
  const { t, i18n } = useTranslation();
  const when = (iso: string | null | undefined) => (iso ? formatTimestamp(iso, i18n.language) : '');
  return (
    <dl className="facts facts--wide" data-testid="submission-facts">
      <dt>{t('submission.file')}</dt>
      <dd>{submission.file_name}</dd>
      <dt>{t('submission.kindLabel')}</dt>
      <dd>{t(`submission.kind.${submission.kind}`)}</dd>
      <dt>{t('submission.organisation')}</dt>
      <dd>{submission.organisation}</dd>
      <dt>{t('submission.createdBy')}</dt>
      <dd>
        {submission.created_by} <span className="muted">{when(submission.created_at)}</span>
      </dd>
      {submission.submitted_by ? (
        <>
          <dt>{t('submission.submittedBy')}</dt>
          <dd>
            {submission.submitted_by} <span className="muted">{when(submission.submitted_at)}</span>
          </dd>
        </>
      ) : null}
      {submission.decided_by ? (
        <>
          <dt>{t('submission.decidedBy')}</dt>
          <dd>
            {submission.decided_by} <span className="muted">{when(submission.decided_at)}</span>
          </dd>
        </>
      ) : null}
    </dl>
  );
}
