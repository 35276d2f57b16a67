import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatSquareMetres } from './format';
import type { ReconciliationChoice as Choice, RecordVersion, ReleasedLand, ReviewItem, SubmissionKind } from './submission-api';

export interface ReconciliationChoiceProps {
  item: ReviewItem;
  kind: SubmissionKind;
  /** Only a reviewer deciding on a submitted submission may change it. */
  editable: boolean;
  busy: boolean;
  /** Saves the choice; resolves to whether the server took it. */
  onChoose: (choice: Choice) => Promise<boolean>;
}

const updateKey = (ref: string) => `update:${ref}`;

/** Below this, land left outside is a sliver of survey precision (the accounting's own threshold). */
const NOTICEABLE_M2 = 0.5;

/** Says how much land released on a record would stop counting if the item's polygon replaced it. */
function ReleasedOutside({ target, land }: { target: string; land: ReleasedLand }) {
  const { t } = useTranslation();
  const outside = land.released_outside_m2 ?? 0;
  if (outside < NOTICEABLE_M2) return null;
  return (
    <span className="choice__warning" role="note" data-testid={`released-outside-${target}`}>
      {t('reconciliation.releasedOutside', { ref: target, area: formatSquareMetres(outside) })}
    </span>
  );
}

/**
 * How the item joins the official record, as IMSMA's workbench offers it: a new record, a new version of the
 * record with the same ref or of a hazard it overlaps, or one hazard that combines (replaces) several it overlaps.
 */
export function ReconciliationChoice({ item, kind, editable, busy, onChoose }: ReconciliationChoiceProps) {
  const { t } = useTranslation();
  const current = item.reconciliation;
  const canChoose = editable;
  const currentKey = current.action === 'update' && current.targets[0] ? updateKey(current.targets[0].ref) : current.action;
  const [combined, setCombined] = useState<Set<string>>(
    () => new Set(current.action === 'combine' ? current.targets.map((target) => target.ref) : []),
  );
  // Choosing "combine" first opens the list of hazards to combine; it is saved once two or more are ticked.
  const [combining, setCombining] = useState(current.action === 'combine');
  // What the reviewer clicked shows at once; the server's answer (the reloaded item) then replaces it.
  const [pending, setPending] = useState<string | null>(null);
  useEffect(() => setPending(null), [currentKey, current.chosen]);
  const shownKey = combining ? 'combine' : (pending ?? currentKey);
  const name = `reconciliation-${item.item}`;

  const updateTargets: { target: RecordVersion; overlapM2: number | null; land: ReleasedLand }[] = [];
  if (item.before) updateTargets.push({ target: { ref: item.before.ref, version: item.before.version }, overlapM2: null, land: item.before });
  for (const overlap of item.overlaps) {
    if (overlap.ref === item.before?.ref) continue;
    updateTargets.push({ target: { ref: overlap.ref, version: overlap.version }, overlapM2: overlap.overlap_m2, land: overlap });
  }
  // A combine may keep the record with the item's own ref (it is updated) and retire the others.
  const combinable: { ref: string; version: number; overlapM2: number | null; land: ReleasedLand }[] = [
    ...(item.before ? [{ ref: item.before.ref, version: item.before.version, overlapM2: null, land: item.before }] : []),
    ...item.overlaps
      .filter((overlap) => overlap.ref !== item.before?.ref)
      .map((overlap) => ({ ref: overlap.ref, version: overlap.version, overlapM2: overlap.overlap_m2, land: overlap })),
  ];
  const choose = (action: Choice['action'], targets: RecordVersion[]) => {
    setCombining(action === 'combine');
    setPending(action === 'update' && targets[0] ? updateKey(targets[0].ref) : action);
    void onChoose({ item: item.item, action, targets }).then((saved) => {
      // Refused: show what the server holds again (its reason shows above the items).
      if (!saved) {
        setPending(null);
        setCombining(current.action === 'combine');
      }
    });
  };
  const combineTargets = () =>
    combinable.filter((target) => combined.has(target.ref)).map(({ ref, version }) => ({ ref, version }));

  return (
    <fieldset className="reconciliation" disabled={!canChoose || busy} data-testid="reconciliation">
      <legend>
        {t('reconciliation.title')}
        {current.chosen === 'reviewer' ? <span className="tag">{t('reconciliation.chosenByReviewer')}</span> : null}
      </legend>
      <label className="choice">
        <input type="radio" name={name} checked={shownKey === 'new'} onChange={() => choose('new', [])} data-testid="reconciliation-new" />
        {t(`reconciliation.new.${kind}`)}
      </label>
      {updateTargets.map(({ target, overlapM2, land }) => (
        <label key={target.ref} className="choice">
          <input
            type="radio"
            name={name}
            checked={shownKey === updateKey(target.ref)}
            onChange={() => choose('update', [target])}
            data-testid={`reconciliation-update-${target.ref}`}
          />
          {overlapM2 === null
            ? t('reconciliation.updateSameRef', { ref: target.ref, version: target.version })
            : t('reconciliation.updateOverlap', { ref: target.ref, area: formatSquareMetres(overlapM2) })}
          <ReleasedOutside target={target.ref} land={land} />
        </label>
      ))}
      {kind === 'hazards' && combinable.length >= 2 ? (
        <div className="reconciliation__combine">
          <label className="choice">
            <input type="radio" name={name} checked={shownKey === 'combine'} onChange={() => setCombining(true)} data-testid="reconciliation-combine" />
            {t('reconciliation.combine')}
          </label>
          {shownKey === 'combine' ? (
            <>
              <ul className="reconciliation__targets">
                {combinable.map((target) => (
                  <li key={target.ref}>
                    <label className="choice">
                      <input
                        type="checkbox"
                        checked={combined.has(target.ref)}
                        onChange={(event) => {
                          const next = new Set(combined);
                          if (event.target.checked) next.add(target.ref);
                          else next.delete(target.ref);
                          setCombined(next);
                        }}
                        data-testid={`reconciliation-combine-${target.ref}`}
                      />
                      {target.overlapM2 === null
                        ? t('reconciliation.sameRefTarget', { ref: target.ref })
                        : t('reconciliation.overlapTarget', { ref: target.ref, area: formatSquareMetres(target.overlapM2) })}
                      <ReleasedOutside target={target.ref} land={target.land} />
                    </label>
                  </li>
                ))}
              </ul>
              <button
                type="button"
                className="button"
                disabled={combineTargets().length < 2}
                onClick={() => choose('combine', combineTargets())}
                data-testid="reconciliation-combine-save"
              >
                {t('reconciliation.combineSave')}
              </button>
            </>
          ) : null}
        </div>
      ) : null}
    </fieldset>
  );
}
