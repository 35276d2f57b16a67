import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AdminUnitCollection } from './api';
import type { Session } from './session-api';
import type { Submission } from './submission-api';
import { SubmissionForm } from './submission-form';
import { SubmissionUpload } from './submission-upload';

export interface NewSubmissionProps {
  session: Session;
  basemapUrl: string | null | undefined;
  provinces: AdminUnitCollection | null;
  districts: AdminUnitCollection | null;
  onCreated: (submission: Submission) => void;
}

/** A new submission: a file of many records, or a form for one hazard or one land release. Both are checked alike. */
export function NewSubmission({ session, basemapUrl, provinces, districts, onCreated }: NewSubmissionProps) {
  const { t } = useTranslation();
  const id = useId();
  const [how, setHow] = useState<'file' | 'form'>('file');
  return (
    <section className="card" aria-labelledby={`${id}-title`} data-testid="new-submission">
      <h2 id={`${id}-title`} className="card__title">
        {t('upload.title')}
      </h2>
      <fieldset className="choice-row">
        <legend>{t('newSubmission.how')}</legend>
        {(['file', 'form'] as const).map((value) => (
          <label key={value} className="choice">
            <input type="radio" name={`${id}-how`} value={value} checked={how === value} onChange={() => setHow(value)} data-testid={`new-submission-${value}`} />
            {t(`newSubmission.${value}`)}
          </label>
        ))}
      </fieldset>
      {how === 'file' ? (
        <SubmissionUpload csrfToken={session.csrfToken} onUploaded={onCreated} />
      ) : (
        <SubmissionForm session={session} basemapUrl={basemapUrl} provinces={provinces} districts={districts} onCreated={onCreated} />
      )}
    </section>
  );
}
