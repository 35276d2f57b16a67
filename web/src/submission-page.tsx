import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AdminUnitCollection } from './api';
import { DecisionSummary } from './decision-summary';
import { FileField } from './file-field';
import { ProblemMessage } from './problem-message';
import type { Session } from './session-api';
import { fetchReviewItems, fetchSubmission, replaceSubmissionFile, submitSubmission } from './submission-api';
import type { Submission } from './submission-api';
import { SubmissionFacts } from './submission-facts';
import { SubmissionForm } from './submission-form';
import type { FormDraft } from './submission-form';
import { SubmissionStateBadge } from './submission-state';
import { exchangeFileTypes } from './submission-upload';
import { useAction } from './use-action';
import { useReloadableApi } from './use-api';
import { ValidationReport } from './validation-report';
import { mayPrepare } from './view-access';

/** States in which the preparing organisation may still replace the file and submit (the server's EDITABLE_STATES). */
const editableStates = ['draft', 'returned'];

/** Replace the file of a draft or returned submission: it is checked again and becomes a draft. */
function ReplaceFile({ submission, csrfToken, onReplaced }: { submission: Submission; csrfToken: string | null; onReplaced: (submission: Submission) => void }) {
  const { t } = useTranslation();
  const [file, setFile] = useState<File | null>(null);
  const [resetKey, setResetKey] = useState(0);
  const replace = useAction();
  const send = async () => {
    if (!file) return;
    const replaced = await replace.run(() => replaceSubmissionFile(submission.id, file, csrfToken));
    if (replaced) {
      setFile(null);
      setResetKey((key) => key + 1);
      onReplaced(replaced);
    }
  };
  return (
    <div className="replace-file" data-testid="replace-file">
      <FileField label={t('submissionPage.replaceLabel')} accept={exchangeFileTypes} onChoose={setFile} testId="replace-file-input" resetKey={resetKey} />
      <button type="button" className="button" disabled={!file || replace.busy} onClick={() => void send()} data-testid="replace-file-submit">
        {replace.busy ? t('upload.checking') : t('submissionPage.replace')}
      </button>
      <ProblemMessage error={replace.error} />
    </div>
  );
}

/** A draft made from the form holds one record in a file the server names after the form. */
const formFile = /^form-(hazards|releases)\.geojson$/;

/** Opens a draft made from the form in the form again, filled with what was sent, to correct and send anew. */
function CorrectInForm({ submission, session, map, onReplaced }: { submission: Submission; session: Session; map: SubmissionPageMap; onReplaced: (submission: Submission) => void }) {
  const { t } = useTranslation();
  const [draft, setDraft] = useState<FormDraft | null>(null);
  const open = useAction();
  const load = async () => {
    const page = await open.run(() => fetchReviewItems(submission.id, { limit: 1, offset: 0 }));
    const item = page?.items[0];
    const geometry = item?.after.geometry;
    if (!item || !geometry || (geometry.type !== 'Polygon' && geometry.type !== 'MultiPolygon')) return;
    setDraft({ id: submission.id, kind: submission.kind, properties: item.after.properties, geometry });
  };
  if (draft) {
    return (
      <SubmissionForm
        session={session}
        {...map}
        editing={draft}
        onCreated={(replaced) => {
          setDraft(null);
          onReplaced(replaced);
        }}
      />
    );
  }
  return (
    <div className="actions">
      <button type="button" className="button" disabled={open.busy} onClick={() => void load()} data-testid="correct-in-form">
        {t('submissionPage.correctInForm')}
      </button>
      <ProblemMessage error={open.error} />
    </div>
  );
}

export interface SubmissionPageMap {
  basemapUrl: string | null | undefined;
  provinces: AdminUnitCollection | null;
  districts: AdminUnitCollection | null;
}

/** One submission as its organisation sees it: the check's report, the reviewer's reasons, and what to do next. */
export function SubmissionPage({ id, session, map, onBack }: { id: number; session: Session; map: SubmissionPageMap; onBack: () => void }) {
  const { t } = useTranslation();
  const { loaded, set } = useReloadableApi(`submission:${id}`, (signal) => fetchSubmission(id, signal));
  const submit = useAction();

  if (loaded.state !== 'ready') {
    return (
      <main className="page">
        {loaded.state === 'loading' ? <p className="muted">{t('common.loading')}</p> : <ProblemMessage error={loaded.error} />}
      </main>
    );
  }
  const submission = loaded.data;
  const ownOrganisation = submission.organisation === session.user.organisation;
  const mayChange = mayPrepare(session.access) && ownOrganisation && editableStates.includes(submission.state);
  const hasErrors = submission.validation.errorCount > 0;
  const sendForReview = async () => {
    const submitted = await submit.run(() => submitSubmission(submission.id, session.csrfToken));
    if (submitted) set(submitted);
  };

  return (
    <main className="page" data-testid="submission-page" data-id={submission.id}>
      <header className="page__header">
        <button type="button" className="link-button" onClick={onBack}>
          ← {t('submissionPage.back')}
        </button>
        <h1>
          {t('submission.title', { id: submission.id })} <SubmissionStateBadge state={submission.state} />
        </h1>
        <p className="muted">{t(`submissionPage.stateHelp.${submission.state}`)}</p>
      </header>
      <section className="card">
        <SubmissionFacts submission={submission} />
      </section>
      <DecisionSummary submission={submission} />
      <section className="card">
        <ValidationReport validation={submission.validation} />
      </section>
      {mayChange ? (
        <section className="card" aria-labelledby="next-step-title">
          <h2 id="next-step-title" className="card__title">
            {t('submissionPage.nextStep')}
          </h2>
          {formFile.test(submission.file_name) && submission.validation.records === 1 ? (
            <CorrectInForm submission={submission} session={session} map={map} onReplaced={set} />
          ) : null}
          <ReplaceFile submission={submission} csrfToken={session.csrfToken} onReplaced={set} />
          <div className="actions">
            <button
              type="button"
              className="button button--primary"
              disabled={hasErrors || submit.busy}
              onClick={() => void sendForReview()}
              data-testid="submit-for-review"
            >
              {t('submissionPage.submit')}
            </button>
            {hasErrors ? <span className="muted">{t('submissionPage.fixFirst')}</span> : null}
          </div>
          <ProblemMessage error={submit.error} />
        </section>
      ) : null}
    </main>
  );
}
