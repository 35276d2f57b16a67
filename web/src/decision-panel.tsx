import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ProblemMessage } from './problem-message';
import type { Action } from './use-action';

export interface DecisionPanelProps {
  /** How many items the reviewer has chosen to return, and whether each has its reason. */
  returnCount: number;
  returnReady: boolean;
  action: Action;
  onApprove: () => void;
  onReturn: () => void;
  onReject: (reason: string) => void;
}

/** The reviewer's decision: approve (apply every item), return the chosen items with their reasons, or reject. */
export function DecisionPanel({ returnCount, returnReady, action, onApprove, onReturn, onReject }: DecisionPanelProps) {
  const { t } = useTranslation();
  const [rejectReason, setRejectReason] = useState('');
  return (
    <section className="card decision-panel" data-testid="decision-panel" aria-labelledby="decision-panel-title">
      <h2 id="decision-panel-title" className="card__title">
        {t('review.decide')}
      </h2>
      <div className="decision-panel__row">
        <button type="button" className="button button--approve" disabled={action.busy || returnCount > 0} onClick={onApprove} data-testid="approve">
          {t('review.approve')}
        </button>
        <span className="hint">{returnCount > 0 ? t('review.approveBlocked') : t('review.approveHelp')}</span>
      </div>
      <div className="decision-panel__row">
        <button type="button" className="button button--return" disabled={action.busy || !returnReady} onClick={onReturn} data-testid="return">
          {t('review.return', { count: returnCount })}
        </button>
        <span className="hint">{returnCount === 0 ? t('review.returnHelp') : returnReady ? '' : t('review.returnNeedsReasons')}</span>
      </div>
      <div className="decision-panel__row decision-panel__reject">
        <input
          className="text-input"
          value={rejectReason}
          onChange={(event) => setRejectReason(event.target.value)}
          placeholder={t('review.rejectPlaceholder')}
          aria-label={t('review.rejectReason')}
          data-testid="reject-reason"
        />
        <button type="button" className="button button--reject" disabled={action.busy || !rejectReason.trim()} onClick={() => onReject(rejectReason.trim())} data-testid="reject">
          {t('review.reject')}
        </button>
      </div>
      <ProblemMessage error={action.error} />
    </section>
  );
}
