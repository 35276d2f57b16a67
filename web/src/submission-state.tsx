import { useTranslation } from 'react-i18next';
import type { SubmissionState } from './submission-api';

/** Where a submission stands in the workflow, in the reader's language. */
export function SubmissionStateBadge({ state }: { state: SubmissionState }) {
  const { t } = useTranslation();
  return (
    <span className={`state state--${state}`} data-testid="submission-state" data-state={state}>
      {t(`submission.state.${state}`, { defaultValue: state })}
    </span>
  );
}
