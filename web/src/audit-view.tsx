import { useState } from 'react';
import type { FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { formatTimestamp } from './format';
import { ProblemMessage } from './problem-message';
import { fetchAuditEvents } from './traceability-api';
import type { AuditEvent, AuditFilter } from './traceability-api';
import { useApi } from './use-api';

const pageSize = 100;

/** Details as the log keeps them, short enough for a table cell; the full value is in the cell's title. */
function detailsText(details: unknown): string {
  if (details === null || details === undefined) return '';
  if (typeof details === 'object' && Object.keys(details).length === 0) return '';
  return JSON.stringify(details);
}

function AuditTable({ events }: { events: AuditEvent[] }) {
  const { t, i18n } = useTranslation();
  return (
    <div className="table-scroll">
      <table className="report" data-testid="audit-table">
        <thead>
          <tr>
            <th scope="col">{t('audit.at')}</th>
            <th scope="col">{t('audit.actor')}</th>
            <th scope="col">{t('audit.action')}</th>
            <th scope="col">{t('audit.entity')}</th>
            <th scope="col">{t('audit.ref')}</th>
            <th scope="col">{t('audit.batch')}</th>
            <th scope="col">{t('audit.details')}</th>
          </tr>
        </thead>
        <tbody>
          {events.map((event) => {
            const details = detailsText(event.details);
            return (
              <tr key={event.id} data-testid="audit-row">
                <td className="nowrap">{formatTimestamp(event.at, i18n.language)}</td>
                <td>{event.actor}</td>
                <td>
                  <code>{event.action}</code>
                </td>
                <td>{event.entity}</td>
                <td>{event.entity_ref ?? t('common.none')}</td>
                <td className="number">{event.batch_id ?? t('common.none')}</td>
                <td className="audit__details" title={details}>
                  {details}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

/** The authority's audit log: who did what and when, newest first, narrowed to one person or one record. */
export function AuditView() {
  const { t } = useTranslation();
  const [draft, setDraft] = useState<AuditFilter>({ actor: '', ref: '' });
  const [filter, setFilter] = useState<AuditFilter>({});
  const [offset, setOffset] = useState(0);
  const key = `audit:${filter.actor ?? ''}:${filter.ref ?? ''}:${offset}`;
  const events = useApi(key, (signal) => fetchAuditEvents(filter, { limit: pageSize, offset }, signal));
  const apply = (event: FormEvent) => {
    event.preventDefault();
    setFilter({ actor: draft.actor?.trim() || undefined, ref: draft.ref?.trim() || undefined });
    setOffset(0);
  };
  return (
    <main className="page page--wide" data-testid="audit-view">
      <header className="page__header">
        <h1>{t('audit.title')}</h1>
        <p className="muted">{t('audit.explanation')}</p>
      </header>
      <section className="card">
        <form className="filters" onSubmit={apply} role="search">
          <label className="field">
            {t('audit.actor')}
            <input className="text-input" value={draft.actor ?? ''} onChange={(event) => setDraft({ ...draft, actor: event.target.value })} placeholder="halo.officer" spellCheck={false} data-testid="audit-actor" />
          </label>
          <label className="field">
            {t('audit.ref')}
            <input className="text-input" value={draft.ref ?? ''} onChange={(event) => setDraft({ ...draft, ref: event.target.value })} spellCheck={false} data-testid="audit-ref" />
          </label>
          <button type="submit" className="button button--primary" data-testid="audit-apply">
            {t('audit.apply')}
          </button>
        </form>
        {events.state === 'loading' ? <p className="muted">{t('common.loading')}</p> : null}
        {events.state === 'failed' ? <ProblemMessage error={events.error} /> : null}
        {events.state === 'ready' && events.data.items.length === 0 ? <p className="muted">{t('audit.none')}</p> : null}
        {events.state === 'ready' && events.data.items.length > 0 ? <AuditTable events={events.data.items} /> : null}
        <div className="pager">
          <button type="button" className="button" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - pageSize))}>
            {t('pager.previous')}
          </button>
          <button
            type="button"
            className="button"
            disabled={events.state !== 'ready' || !events.data.more}
            onClick={() => setOffset(offset + pageSize)}
          >
            {t('pager.next')}
          </button>
        </div>
      </section>
    </main>
  );
}
