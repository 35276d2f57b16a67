import { useTranslation } from 'react-i18next';
import { formatCount } from './format';
import { ProblemReason } from './problem-message';
import type { RecordProblem, Validation } from './submission-api';

/** Which record a problem is about, as the officer finds it in the file: its ref, its feature or its line. */
export function RecordPlace({ problem }: { problem: Pick<RecordProblem, 'ref' | 'feature' | 'line'> }) {
  const { t } = useTranslation();
  const parts: string[] = [];
  if (problem.ref) parts.push(problem.ref);
  // GeoJSON features count from 0 in the API; people count from 1.
  if (problem.feature !== undefined) parts.push(t('validation.feature', { number: problem.feature + 1 }));
  if (problem.line !== undefined) parts.push(t('validation.line', { number: problem.line }));
  return <>{parts.length > 0 ? parts.join(' · ') : t('validation.wholeFile')}</>;
}

function ProblemTable({ problems, testId }: { problems: RecordProblem[]; testId: string }) {
  const { t } = useTranslation();
  return (
    <div className="table-scroll">
      <table className="report" data-testid={testId}>
        <thead>
          <tr>
            <th scope="col">{t('validation.record')}</th>
            <th scope="col">{t('validation.field')}</th>
            <th scope="col">{t('validation.reason')}</th>
          </tr>
        </thead>
        <tbody>
          {problems.map((problem, index) => (
            <tr key={`${problem.code}-${problem.feature ?? problem.line ?? ''}-${index}`} data-testid="validation-problem">
              <th scope="row">
                <RecordPlace problem={problem} />
              </th>
              <td>{problem.field ?? t('common.none')}</td>
              <td>
                <ProblemReason code={problem.code} reason={problem.reason} /> <span className="muted code">[{problem.code}]</span>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** What the machine checks found in a file: how many records, how many would be accepted, every error and note. */
export function ValidationReport({ validation }: { validation: Validation }) {
  const { t } = useTranslation();
  const clean = validation.errorCount === 0;
  return (
    <section className="validation" data-testid="validation-report" aria-labelledby="validation-title">
      <h3 id="validation-title" className="section-title">
        {t('validation.title')}
      </h3>
      <p className={clean ? 'validation__summary validation__summary--ok' : 'validation__summary validation__summary--errors'} data-testid="validation-summary">
        {t('validation.summary', { records: formatCount(validation.records), accepted: formatCount(validation.accepted) })}{' '}
        {clean ? t('validation.noErrors') : t('validation.errors', { count: validation.errorCount, errors: formatCount(validation.errorCount) })}
      </p>
      {validation.errors.length > 0 ? <ProblemTable problems={validation.errors} testId="validation-errors" /> : null}
      {validation.errorCount > validation.errors.length ? (
        <p className="muted">{t('validation.firstErrors', { shown: formatCount(validation.errors.length) })}</p>
      ) : null}
      {validation.notes.length > 0 ? (
        <>
          <h4 className="section-subtitle">{t('validation.notes')}</h4>
          <ProblemTable problems={validation.notes} testId="validation-notes" />
        </>
      ) : null}
    </section>
  );
}
