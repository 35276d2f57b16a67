import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AdminUnitCollection } from './api';
import { DecisionPanel } from './decision-panel';
import { DecisionSummary } from './decision-summary';
import { formatCount } from './format';
import { ProblemMessage } from './problem-message';
import { returnedItemName, ReviewItemCard } from './review-item-card';
import type { ItemReturn } from './review-item-card';
import { ReviewMap } from './review-map';
import type { Session } from './session-api';
import {
  approveSubmission,
  fetchReviewItems,
  fetchSubmission,
  rejectSubmission,
  returnSubmission,
  saveReconciliation,
} from './submission-api';
import type { ReconciliationChoice, ReviewPage as ReviewItemsPage, Submission } from './submission-api';
import { SubmissionFacts } from './submission-facts';
import { SubmissionStateBadge } from './submission-state';
import { useAction } from './use-action';
import { useReloadableApi } from './use-api';
import { ValidationReport } from './validation-report';
import { mayDecide } from './view-access';

/** Items per page: a page is drawn on the map at once, so it stays a size a browser draws quickly. */
const pageSize = 500;
const noReturn: ItemReturn = { chosen: false, reason: '' };

function Pager({ page, onOffset }: { page: ReviewItemsPage; onOffset: (offset: number) => void }) {
  const { t } = useTranslation();
  if (page.total <= page.limit) return null;
  const last = Math.min(page.offset + page.limit, page.total);
  return (
    <div className="pager">
      <button type="button" className="button" disabled={page.offset === 0} onClick={() => onOffset(Math.max(0, page.offset - page.limit))}>
        {t('pager.previous')}
      </button>
      <span>{t('pager.range', { first: formatCount(page.offset + 1), last: formatCount(last), total: formatCount(page.total) })}</span>
      <button type="button" className="button" disabled={last >= page.total} onClick={() => onOffset(page.offset + page.limit)}>
        {t('pager.next')}
      </button>
    </div>
  );
}

/** Why this reviewer may not decide: someone else's decision is needed, or it is decided already. */
function DecidingNotice({ submission, session }: { submission: Submission; session: Session }) {
  const { t } = useTranslation();
  if (submission.state === 'approved') return <p className="notice notice--ok" data-testid="review-outcome">{t('review.outcome.approved')}</p>;
  if (submission.state !== 'submitted') return <p className="notice" data-testid="review-outcome">{t(`review.outcome.${submission.state}`)}</p>;
  if (!mayDecide(session.access, submission.kind)) return <p className="notice">{t('review.notReviewer')}</p>;
  return <p className="notice">{t('review.fourEyes')}</p>;
}

export interface ReviewPageProps {
  id: number;
  session: Session;
  basemapUrl: string | null;
  provinces: AdminUnitCollection | null;
  districts: AdminUnitCollection | null;
  onBack: () => void;
}

/** The review of one submission: its items on a map and side by side with the official record, and the decision. */
export function ReviewPage({ id, session, basemapUrl, provinces, districts, onBack }: ReviewPageProps) {
  const { t } = useTranslation();
  const submission = useReloadableApi(`review-submission:${id}`, (signal) => fetchSubmission(id, signal));
  const [offset, setOffset] = useState(0);
  const items = useReloadableApi(`review-items:${id}:${offset}`, (signal) => fetchReviewItems(id, { limit: pageSize, offset }, signal));
  const [selectedItem, setSelectedItem] = useState<number | null>(null);
  // Kept across pages of items (with each item's name), so a reviewer can return items from several pages at once.
  const [returns, setReturns] = useState<Map<number, ItemReturn & { name: string }>>(new Map());
  const reconcile = useAction();
  const decide = useAction();

  if (submission.loaded.state !== 'ready') {
    return (
      <main className="page">
        {submission.loaded.state === 'loading' ? <p className="muted">{t('common.loading')}</p> : <ProblemMessage error={submission.loaded.error} />}
      </main>
    );
  }
  const current = submission.loaded.data;
  const ownWork = current.submitted_by === session.user.username || current.created_by === session.user.username;
  const deciding = current.state === 'submitted' && mayDecide(session.access, current.kind) && !ownWork;
  const page = items.loaded.state === 'ready' ? items.loaded.data : null;

  const chosenReturns = [...returns.values()].filter((chosen) => chosen.chosen).map((chosen) => ({ item: chosen.name, reason: chosen.reason.trim() }));
  const returnReady = chosenReturns.length > 0 && chosenReturns.every((reason) => reason.reason.length > 0);

  const decided = (next: Submission | null) => {
    if (!next) return;
    submission.set(next);
    setReturns(new Map());
    items.reload();
  };
  const choose = async (choice: ReconciliationChoice): Promise<boolean> => {
    const saved = await reconcile.run(() => saveReconciliation(id, [choice], session.csrfToken));
    // Reloaded rather than patched from the answer: the server also recomputes what the item overlaps.
    if (saved) items.reload();
    return saved !== null;
  };

  return (
    <main className="page page--wide" data-testid="review-page" data-id={id}>
      <header className="page__header">
        <button type="button" className="link-button" onClick={onBack}>
          ← {t('review.back')}
        </button>
        <h1>
          {t('review.title', { id })} <SubmissionStateBadge state={current.state} />
        </h1>
      </header>
      {deciding ? null : <DecidingNotice submission={current} session={session} />}
      <div className="review-summary">
        <section className="card">
          <SubmissionFacts submission={current} />
        </section>
        <DecisionSummary submission={current} />
      </div>
      <div className="review-layout">
        <div className="review-layout__map">
          <ReviewMap
            basemapUrl={basemapUrl}
            provinces={provinces}
            districts={districts}
            items={page?.items ?? []}
            selectedItem={selectedItem}
            onSelectItem={setSelectedItem}
          />
        </div>
        <section className="review-layout__items card" aria-labelledby="review-items-title">
          <h2 id="review-items-title" className="card__title">
            {t('review.items')} {page ? <span className="count">{formatCount(page.total)}</span> : null}
          </h2>
          {items.loaded.state === 'loading' ? <p className="muted">{t('common.loading')}</p> : null}
          {items.loaded.state === 'failed' ? <ProblemMessage error={items.loaded.error} /> : null}
          <ProblemMessage error={reconcile.error} />
          {page ? (
            <>
              <ol className="review-items" data-testid="review-items">
                {page.items.map((item) => (
                  <ReviewItemCard
                    key={item.item}
                    item={item}
                    kind={page.kind}
                    selected={item.item === selectedItem}
                    onSelect={() => setSelectedItem((selected) => (selected === item.item ? null : item.item))}
                    deciding={deciding}
                    reconciling={reconcile.busy}
                    onReconcile={choose}
                    itemReturn={returns.get(item.item) ?? noReturn}
                    onReturnChange={(itemReturn) => setReturns((previous) => new Map(previous).set(item.item, { ...itemReturn, name: returnedItemName(item) }))}
                  />
                ))}
              </ol>
              <Pager page={page} onOffset={setOffset} />
            </>
          ) : null}
        </section>
      </div>
      {deciding ? (
        <DecisionPanel
          returnCount={chosenReturns.length}
          returnReady={returnReady}
          action={decide}
          onApprove={() => void decide.run(() => approveSubmission(id, session.csrfToken)).then(decided)}
          onReturn={() => void decide.run(() => returnSubmission(id, chosenReturns, session.csrfToken)).then(decided)}
          onReject={(reason) => void decide.run(() => rejectSubmission(id, reason, session.csrfToken)).then(decided)}
        />
      ) : null}
      {current.validation.notes.length > 0 || current.validation.errorCount > 0 ? (
        <section className="card">
          <ValidationReport validation={current.validation} />
        </section>
      ) : null}
    </main>
  );
}
