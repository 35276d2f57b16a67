import { useTranslation } from 'react-i18next';
import { RecordComparison } from './record-comparison';
import { ReconciliationChoice } from './reconciliation-choice';
import type { ReconciliationChoice as Choice, ReviewItem, SubmissionKind } from './submission-api';
import { RecordPlace } from './validation-report';

export interface ItemReturn {
  chosen: boolean;
  reason: string;
}

/** How a returned item is named to the operator: by its ref, which they can find in their file. */
export function returnedItemName(item: ReviewItem): string {
  return item.ref ?? String(item.item);
}

export interface ReviewItemCardProps {
  item: ReviewItem;
  kind: SubmissionKind;
  selected: boolean;
  onSelect: () => void;
  /** Whether the reviewer may still decide (the submission is submitted and not theirs). */
  deciding: boolean;
  reconciling: boolean;
  onReconcile: (choice: Choice) => Promise<boolean>;
  itemReturn: ItemReturn;
  onReturnChange: (itemReturn: ItemReturn) => void;
}

/** One item of a submission: what it would do, both versions side by side, and the reviewer's choices for it. */
export function ReviewItemCard(props: ReviewItemCardProps) {
  const { item, kind, selected, onSelect, deciding, reconciling, onReconcile, itemReturn, onReturnChange } = props;
  const { t } = useTranslation();
  const reconciliation = item.reconciliation;
  const name = returnedItemName(item);
  return (
    <li className={selected ? 'review-item is-selected' : 'review-item'} data-testid="review-item" data-ref={item.ref ?? ''} data-item={item.item}>
      <button type="button" className="review-item__head" onClick={onSelect} aria-expanded={selected} data-testid="review-item-select">
        <span className="record__ref">{item.ref ?? t('review.noRef')}</span>
        <span className="muted">
          <RecordPlace problem={{ feature: item.feature, line: item.line }} />
        </span>
        <span className={`tag tag--${reconciliation.action}`} data-testid="review-item-action">
          {t(`reconciliation.action.${reconciliation.action}`)}
          {reconciliation.targets.length > 0 ? ` ${reconciliation.targets.map((target) => target.ref).join(', ')}` : ''}
        </span>
        {item.overlaps.length > 0 ? <span className="tag tag--overlap">{t('review.overlapCount', { count: item.overlaps.length })}</span> : null}
      </button>
      {item.problems.length > 0 ? (
        <ul className="review-item__problems">
          {item.problems.map((problem, index) => (
            <li key={`${problem.code}-${index}`} className={problem.severity === 'error' ? 'error' : 'muted'}>
              {problem.field ? <strong>{problem.field}: </strong> : null}
              {problem.reason}
            </li>
          ))}
        </ul>
      ) : null}
      {selected ? (
        <div className="review-item__body">
          <RecordComparison item={item} kind={kind} />
          <ReconciliationChoice item={item} kind={kind} editable={deciding} busy={reconciling} onChoose={onReconcile} />
        </div>
      ) : null}
      {deciding ? (
        <div className="review-item__return">
          <label className="choice">
            <input
              type="checkbox"
              checked={itemReturn.chosen}
              onChange={(event) => onReturnChange({ ...itemReturn, chosen: event.target.checked })}
              data-testid="return-item"
            />
            {t('review.returnItem')}
          </label>
          {itemReturn.chosen ? (
            <input
              className="text-input"
              value={itemReturn.reason}
              onChange={(event) => onReturnChange({ ...itemReturn, reason: event.target.value })}
              placeholder={t('review.returnReasonPlaceholder', { ref: name })}
              aria-label={t('review.returnReason', { ref: name })}
              data-testid="return-reason"
            />
          ) : null}
        </div>
      ) : null}
    </li>
  );
}
