import { useTranslation } from 'react-i18next';
import type { Submission } from './submission-api';

/**
 * What the reviewer said: the reasons per item of a returned submission (so the operator knows what to correct),
 * or the one reason of a rejection. A resubmitted submission keeps its earlier reasons in view.
 */
export function DecisionSummary({ submission }: { submission: Submission }) {
  const { t } = useTranslation();
  const { decision, state } = submission;
  if (!decision || (!decision.reasons?.length && !decision.reason)) return null;
  const title = state === 'returned' ? t('decision.returned') : state === 'rejected' ? t('decision.rejected') : t('decision.earlier');
  return (
    <section className={`card decision decision--${state}`} data-testid="decision-summary" aria-labelledby="decision-title">
      <h2 id="decision-title" className="card__title">
        {title}
      </h2>
      {submission.decided_by && (state === 'returned' || state === 'rejected') ? (
        <p className="muted">{t('decision.by', { reviewer: submission.decided_by })}</p>
      ) : null}
      {decision.reason ? <p data-testid="decision-reason">{decision.reason}</p> : null}
      {decision.reasons?.length ? (
        <table className="report" data-testid="decision-reasons">
          <thead>
            <tr>
              <th scope="col">{t('decision.item')}</th>
              <th scope="col">{t('decision.reason')}</th>
            </tr>
          </thead>
          <tbody>
            {decision.reasons.map((reason, index) => (
              <tr key={`${reason.item}-${index}`} data-testid="decision-reason-row">
                <th scope="row">{reason.item}</th>
                <td>{reason.reason}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
