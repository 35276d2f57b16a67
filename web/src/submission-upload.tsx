import { useState } from 'react';
import type { FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { FileField } from './file-field';
import { ProblemMessage } from './problem-message';
import { uploadSubmission } from './submission-api';
import type { Submission, SubmissionKind } from './submission-api';
import { useAction } from './use-action';

export const exchangeFileTypes = '.geojson,.json,.csv,application/geo+json,application/json,text/csv';

/** A new submission from a file: the operator chooses what the file holds and the file; Clearway checks it at once. */
export function SubmissionUpload({ csrfToken, onUploaded }: { csrfToken: string | null; onUploaded: (submission: Submission) => void }) {
  const { t } = useTranslation();
  const [kind, setKind] = useState<SubmissionKind>('hazards');
  const [file, setFile] = useState<File | null>(null);
  const upload = useAction();
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!file) return;
    const created = await upload.run(() => uploadSubmission(kind, file, csrfToken));
    if (created) onUploaded(created);
  };
  return (
    <form className="upload" onSubmit={(event) => void submit(event)} data-testid="submission-upload">
      <p className="hint">{t('upload.hint')}</p>
      <fieldset className="choice-row">
        <legend>{t('upload.kind')}</legend>
        {(['hazards', 'releases'] as const).map((value) => (
          <label key={value} className="choice">
            <input type="radio" name="submission-kind" value={value} checked={kind === value} onChange={() => setKind(value)} data-testid={`upload-kind-${value}`} />
            {t(`submission.kind.${value}`)}
          </label>
        ))}
      </fieldset>
      <FileField label={t('upload.file')} accept={exchangeFileTypes} onChoose={setFile} testId="upload-file" />
      <div className="actions">
        <button type="submit" className="button button--primary" disabled={!file || upload.busy} data-testid="upload-submit">
          {upload.busy ? t('upload.checking') : t('upload.submit')}
        </button>
      </div>
      <ProblemMessage error={upload.error} />
    </form>
  );
}
