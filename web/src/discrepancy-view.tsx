import { useState } from 'react';
import type { FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { fetchOrganisations } from './api';
import { DiscrepancyTable, formatDifference } from './discrepancy-table';
import { FileField } from './file-field';
import { formatCount, formatSquareMetres } from './format';
import { ProblemMessage } from './problem-message';
import type { Session } from './session-api';
import { compareFigures, compareFiguresCsv } from './traceability-api';
import type { DiscrepancyReport } from './traceability-api';
import { useAction } from './use-action';
import { useApi } from './use-api';
import { choosesOrganisation } from './view-access';

const figureFileTypes = '.xlsx,.csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,text/csv';

function OrganisationChoice({ value, onChange }: { value: string; onChange: (code: string) => void }) {
  const { t } = useTranslation();
  const organisations = useApi('organisations', (signal) => fetchOrganisations(signal));
  const operators = organisations.state === 'ready' ? organisations.data.filter((organisation) => organisation.kind === 'operator') : [];
  return (
    <label className="field">
      {t('discrepancy.organisation')}
      <select className="text-input" value={value} onChange={(event) => onChange(event.target.value)} data-testid="discrepancy-organisation">
        <option value="">{t('discrepancy.chooseOrganisation')}</option>
        {operators.map((organisation) => (
          <option key={organisation.code} value={organisation.code}>
            {organisation.code} · {organisation.name}
          </option>
        ))}
      </select>
    </label>
  );
}

function ReportSummary({ report }: { report: DiscrepancyReport }) {
  const { t } = useTranslation();
  const matching = report.matching;
  return (
    <dl className="facts facts--wide" data-testid="discrepancy-summary">
      <dt>{t('discrepancy.organisation')}</dt>
      <dd>{report.organisation}</dd>
      <dt>{t('discrepancy.period')}</dt>
      <dd>{t('releases.dateRange', { start: report.period.from, end: report.period.to })}</dd>
      <dt>{t('discrepancy.operatorTotal')}</dt>
      <dd>
        {formatSquareMetres(report.totals.operator_m2)} {t('units.m2')}
      </dd>
      <dt>{t('discrepancy.officialTotal')}</dt>
      <dd>
        {formatSquareMetres(report.totals.official_m2)} {t('units.m2')}
      </dd>
      <dt>{t('discrepancy.difference')}</dt>
      <dd>
        <strong>{formatDifference(report.totals.difference_m2)}</strong> {t('units.m2')}
      </dd>
      <dt>{t('discrepancy.matching')}</dt>
      <dd>{formatCount(matching)}</dd>
    </dl>
  );
}

/**
 * The gap between an operator's own figures and the official record, cell by cell (province, month, kind), with
 * what explains it: submissions not yet approved, returned, rejected, or records the operator does not have.
 */
export function DiscrepancyView({ session }: { session: Session }) {
  const { t } = useTranslation();
  const choosing = choosesOrganisation(session.access);
  const [organisation, setOrganisation] = useState(choosing ? '' : session.user.organisation);
  const [file, setFile] = useState<File | null>(null);
  const [report, setReport] = useState<DiscrepancyReport | null>(null);
  const compare = useAction();
  const download = useAction();
  const downloadCsv = async () => {
    if (!file || !report) return;
    const csv = await download.run(() => compareFiguresCsv(report.organisation, file, session.csrfToken));
    if (!csv) return;
    // The browser saves the answer under a name that says whose figures and which period it compares.
    const link = document.createElement('a');
    link.href = URL.createObjectURL(csv);
    link.download = `discrepancy-${report.organisation}-${report.period.from}-${report.period.to}.csv`;
    link.click();
    URL.revokeObjectURL(link.href);
  };
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!file || !organisation) return;
    const answer = await compare.run(() => compareFigures(organisation, file, session.csrfToken));
    setReport(answer);
  };
  return (
    <main className="page page--wide" data-testid="discrepancy-view">
      <header className="page__header">
        <h1>{t('discrepancy.title')}</h1>
        <p className="muted">{t('discrepancy.explanation')}</p>
      </header>
      <form className="card" onSubmit={(event) => void submit(event)}>
        {choosing ? (
          <OrganisationChoice value={organisation} onChange={setOrganisation} />
        ) : (
          <p>
            {t('discrepancy.organisation')}: <strong>{organisation}</strong>
          </p>
        )}
        <FileField label={t('discrepancy.file')} accept={figureFileTypes} onChoose={setFile} testId="discrepancy-file" />
        <p className="hint">{t('discrepancy.fileHint')}</p>
        <div className="actions">
          <button type="submit" className="button button--primary" disabled={!file || !organisation || compare.busy} data-testid="discrepancy-compare">
            {compare.busy ? t('discrepancy.comparing') : t('discrepancy.compare')}
          </button>
        </div>
        <ProblemMessage error={compare.error} />
      </form>
      {report ? (
        <section className="card" aria-labelledby="discrepancy-result-title">
          <h2 id="discrepancy-result-title" className="card__title">
            {t('discrepancy.result')}
          </h2>
          <ReportSummary report={report} />
          <p className="hint">{t('discrepancy.sign')}</p>
          <div className="actions">
            <button type="button" className="button" onClick={() => void downloadCsv()} disabled={download.busy} data-testid="discrepancy-download">
              {t('discrepancy.downloadCsv')}
            </button>
          </div>
          <ProblemMessage error={download.error} />
          {report.rows.length === 0 ? <p className="notice notice--ok">{t('discrepancy.allMatch')}</p> : <DiscrepancyTable rows={report.rows} />}
        </section>
      ) : null}
    </main>
  );
}
