import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useApi } from '../use-api';
import type { ViewRoute } from '../view-route';
import { fetchKinds, fetchRecordHistory, fetchRecords } from './records-api';
import type { KindDescription, KindId } from './records-api';

const PAGE = 50;
/** Columns of the history besides the kind's own: when each version was made. */
const HISTORY_COLUMNS = ['version', 'changed_at'];

function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.join(', ');
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : value.toFixed(2);
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** The columns a table shows: the kind's public columns the answer holds, in the declaration's order. */
function columnsOf(kind: KindDescription, rows: Record<string, unknown>[]): string[] {
  const present = new Set(rows.flatMap((row) => Object.keys(row)));
  return kind.public_columns.filter((column) => rows.length === 0 || present.has(column));
}

function RecordHistory({ kind, recordRef, onClose }: { kind: KindDescription; recordRef: string; onClose: () => void }) {
  const { t } = useTranslation();
  const history = useApi(`${kind.id}/${recordRef}`, (signal) => fetchRecordHistory(kind.id, recordRef, signal));
  const rows = history.state === 'ready' ? history.data : [];
  const columns = [...HISTORY_COLUMNS, ...columnsOf(kind, rows).filter((c) => !HISTORY_COLUMNS.includes(c))];
  return (
    <section className="records__history" data-testid="record-history" aria-label={t('records.history', { ref: recordRef })}>
      <header className="records__history-header">
        <h3>{t('records.history', { ref: recordRef })}</h3>
        <button type="button" onClick={onClose}>{t('records.close')}</button>
      </header>
      {history.state === 'failed' ? <p role="alert">{history.error.message}</p> : null}
      {history.state === 'ready' ? (
        <table className="records__table">
          <thead><tr>{columns.map((c) => <th key={c}>{c}</th>)}</tr></thead>
          <tbody>
            {rows.map((row) => (
              <tr key={String(row['version'])} data-testid="record-version">{columns.map((c) => <td key={c}>{cell(row[c])}</td>)}</tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}

function RecordTable({ kind, selected, onSelect }: { kind: KindDescription; selected: string | undefined; onSelect: (ref: string) => void }) {
  const { t } = useTranslation();
  const [offset, setOffset] = useState(0);
  const page = useApi(`${kind.id}?${offset}`, (signal) => fetchRecords(kind.id, { limit: PAGE, offset }, signal));
  if (page.state === 'failed') return <p role="alert">{page.error.message}</p>;
  if (page.state === 'loading') return <p>{t('records.loading')}</p>;
  const { items, total } = page.data;
  const columns = columnsOf(kind, items);
  return (
    <div className="records__list">
      <p data-testid="records-count">{t('records.count', { from: total === 0 ? 0 : offset + 1, to: offset + items.length, total })}</p>
      <table className="records__table" data-testid="records-table">
        <thead><tr>{columns.map((c) => <th key={c}>{c}</th>)}</tr></thead>
        <tbody>
          {items.map((row) => (
            <tr key={row.ref} className={row.ref === selected ? 'is-selected' : undefined} data-testid="record-row">
              {columns.map((c) => (
                <td key={c}>
                  {c === 'ref' ? <button type="button" className="link" onClick={() => onSelect(row.ref)}>{row.ref}</button> : cell(row[c])}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      <nav className="records__pages">
        <button type="button" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>{t('records.previous')}</button>
        <button type="button" disabled={offset + PAGE >= total} onClick={() => setOffset(offset + PAGE)} data-testid="records-next">{t('records.next')}</button>
      </nav>
    </div>
  );
}

/**
 * The official record of every kind the server declares, one kind at a time, with each record's history:
 * the columns, and who may see what, come from the server.
 */
export function RecordsView({ kind, recordRef, navigate }: { kind: string; recordRef: string | undefined; navigate: (route: ViewRoute) => void }) {
  const { t, i18n } = useTranslation();
  const kinds = useApi('kinds', (signal) => fetchKinds(signal));
  if (kinds.state === 'failed') return <main className="records"><p role="alert">{kinds.error.message}</p></main>;
  if (kinds.state === 'loading') return <main className="records"><p>{t('records.loading')}</p></main>;
  const readable = kinds.data.filter((k) => k.allowed.read);
  const current = readable.find((k) => k.id === kind) ?? readable[0];
  if (!current) return <main className="records"><p>{t('views.notAllowed')}</p></main>;
  const noun = (k: KindDescription) => (i18n.language.startsWith('km') ? k.noun.km : k.noun.en);
  const open = (id: KindId, ref?: string) => navigate(ref === undefined ? { view: 'records', kind: id } : { view: 'records', kind: id, ref });
  return (
    <main className="records" data-testid="records-view">
      <nav className="records__kinds" aria-label={t('records.kinds')}>
        {readable.map((k) => (
          <button key={k.id} type="button" aria-pressed={k.id === current.id} onClick={() => open(k.id)} data-testid={`records-kind-${k.id}`}>
            {noun(k)}
          </button>
        ))}
      </nav>
      <RecordTable key={current.id} kind={current} selected={recordRef} onSelect={(ref) => open(current.id, ref)} />
      {recordRef !== undefined ? <RecordHistory kind={current} recordRef={recordRef} onClose={() => open(current.id)} /> : null}
    </main>
  );
}
