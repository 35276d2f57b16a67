import { useTranslation } from 'react-i18next';
import { formatCount, formatTimestamp } from './format';
import type { Submission } from './submission-api';
import { SubmissionStateBadge } from './submission-state';

/** Submissions as a table, newest first (as the server sends them); a click opens one. */
export function SubmissionList({ submissions, onOpen, testId }: { submissions: Submission[]; onOpen: (id: number) => void; testId: string }) {
  const { t, i18n } = useTranslation();
  return (
    <div className="table-scroll">
      <table className="report" data-testid={testId}>
        <thead>
          <tr>
            <th scope="col">{t('submission.number')}</th>
            <th scope="col">{t('submission.file')}</th>
            <th scope="col">{t('submission.kindLabel')}</th>
            <th scope="col">{t('submission.organisation')}</th>
            <th scope="col" className="number">{t('submission.records')}</th>
            <th scope="col" className="number">{t('submission.errorCount')}</th>
            <th scope="col">{t('submission.stateLabel')}</th>
            <th scope="col">{t('submission.lastChange')}</th>
          </tr>
        </thead>
        <tbody>
          {submissions.map((submission) => {
            const changed = submission.decided_at ?? submission.submitted_at ?? submission.created_at;
            return (
              <tr key={submission.id} data-testid="submission-row" data-id={submission.id}>
                <th scope="row">
                  <button type="button" className="link-button link-button--inline" onClick={() => onOpen(submission.id)} data-testid="submission-open">
                    {t('submission.title', { id: submission.id })}
                  </button>
                </th>
                <td className="wrap">{submission.file_name}</td>
                <td>{t(`submission.kind.${submission.kind}`)}</td>
                <td>{submission.organisation}</td>
                <td className="number">{formatCount(submission.validation.records)}</td>
                <td className="number">{formatCount(submission.validation.errorCount)}</td>
                <td>
                  <SubmissionStateBadge state={submission.state} />
                </td>
                <td className="muted">{changed ? formatTimestamp(changed, i18n.language) : t('common.none')}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
