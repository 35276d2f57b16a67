import { useTranslation } from 'react-i18next';
import { ApiError } from './api';
import type { ConflictingItem } from './api';
import { currentLanguage } from './i18n';
import { problemText } from './problem-text';

/** The code's message in the page's language (Khmer), then the server's reason. */
export function ProblemReason({ code, reason }: { code: string | undefined; reason: string }) {
  const text = problemText(code, reason, currentLanguage());
  if (!text.message) return <>{text.reason}</>;
  return (
    <>
      <span lang="km">{text.message}</span> <span className="muted" lang="en">({text.reason})</span>
    </>
  );
}

function conflictPlace(conflict: ConflictingItem): string {
  return [conflict.ref, conflict.feature !== undefined ? `#${conflict.feature}` : null, conflict.line !== undefined ? `L${conflict.line}` : null]
    .filter(Boolean)
    .join(' ');
}

/**
 * What the server said when it refused a change: its own words (the problem's detail), and for an approval that
 * stopped, the items in conflict with the official record, so the reviewer knows which ones to look at.
 */
export function ProblemMessage({ error }: { error: Error | null }) {
  const { t } = useTranslation();
  if (!error) return null;
  const conflicts = error instanceof ApiError ? error.conflicts : [];
  const refusedItems = error instanceof ApiError && Array.isArray(error.problem?.items) ? error.problem.items : [];
  const lineErrors = error instanceof ApiError && Array.isArray(error.problem?.errors) ? error.problem.errors : [];
  const reason = error instanceof ApiError ? <ProblemReason code={error.problem?.code} reason={error.message} /> : t('problem.unreachable', { reason: error.message });
  return (
    <div className="problem" role="alert" data-testid="problem">
      <p>{reason}</p>
      {refusedItems.length > 0 ? (
        <ul className="problem__list" data-testid="problem-items">
          {refusedItems.map((refused) => (
            <li key={refused.item}>
              <strong>{refused.ref ?? t('validation.feature', { number: refused.item + 1 })}</strong> {refused.reason}
            </li>
          ))}
        </ul>
      ) : null}
      {lineErrors.length > 0 ? (
        <ul className="problem__list" data-testid="problem-errors">
          {lineErrors.map((lineError, index) => (
            <li key={`${lineError.line ?? ''}-${lineError.field ?? ''}-${index}`}>
              <strong>
                {[lineError.line !== undefined ? t('validation.line', { number: lineError.line }) : null, lineError.field].filter(Boolean).join(' · ')}
              </strong>{' '}
              <ProblemReason code={lineError.code} reason={lineError.reason} />
            </li>
          ))}
        </ul>
      ) : null}
      {conflicts.length > 0 ? (
        <>
          <p className="problem__lead">{t('problem.conflicts', { count: conflicts.length })}</p>
          <ul className="problem__list" data-testid="problem-conflicts">
            {conflicts.map((conflict, index) => (
              <li key={`${conflict.ref ?? ''}-${index}`}>
                <strong>{conflictPlace(conflict)}</strong> <span className="muted">[{conflict.code}]</span> <ProblemReason code={conflict.code} reason={conflict.reason} />
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </div>
  );
}
