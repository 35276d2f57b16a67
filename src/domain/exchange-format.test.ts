import { describe, expect, it } from 'vitest';
import { checkDates, MAX_DEVICES_PER_RELEASE, parseHazardProperties, parseReleaseProperties } from './exchange-format.ts';

const hazard = { ref: 'HZ-1', type: 'CHA', contamination: ['AP'], source: 'technical survey', recorded_on: '2020-02-29' };
const release = { ref: 'LR-1', hazard_ref: 'HZ-1', kind: 'cleared', method: 'mdd', operator: 'APOPO', start_date: '2021-01-01', end_date: '2021-02-01' };

describe('the exchange format', () => {
  it('reads a hazard, treating blanks as absent and padding a 7-digit village code', () => {
    const parsed = parseHazardProperties({ ...hazard, operator: '', notes: null, village_code: 1020101 }, { feature: 3 });
    expect(parsed).toEqual({ ok: true, value: { ...hazard, village_code: '01020101' } });
  });

  it('names the record, the field and the reason of each problem', () => {
    const parsed = parseHazardProperties({ ...hazard, type: 'sha', recorded_on: '2021-13-01', contamination: [] }, { line: 7 });
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.problems).toEqual([
      expect.objectContaining({ code: 'type.unknown', field: 'type', ref: 'HZ-1', line: 7, reason: '"sha" is not one of SHA, CHA' }),
      expect.objectContaining({ code: 'contamination.unknown', field: 'contamination' }),
      expect.objectContaining({ code: 'date.not-iso', field: 'recorded_on', reason: 'not a calendar date' }),
    ]);
  });

  it('says a missing ref is missing, not invalid', () => {
    const parsed = parseHazardProperties({ ...hazard, ref: '  ' }, { feature: 0 });
    expect(parsed.ok ? [] : parsed.problems.map((p) => p.code)).toEqual(['ref.missing']);
  });

  it('accepts only the methods that release land of each kind', () => {
    expect(parseReleaseProperties(release, { feature: 0 }).ok).toBe(true);
    expect(parseReleaseProperties({ ...release, kind: 'cancelled', method: 'nts' }, { feature: 0 }).ok).toBe(true);
    const wrong = parseReleaseProperties({ ...release, kind: 'reduced', method: 'manual' }, { feature: 0 });
    expect(wrong.ok ? null : wrong.problems[0]).toMatchObject({ code: 'method.kind-mismatch', field: 'method', reason: 'land reduced must come from ts, not manual' });
  });

  it(`takes at most ${MAX_DEVICES_PER_RELEASE} device lines on one release, each of which becomes a find`, () => {
    const line = { category: 'AP', model: 'PMN', quantity: 3 };
    expect(parseReleaseProperties({ ...release, devices: Array(MAX_DEVICES_PER_RELEASE).fill(line) }, { feature: 0 }).ok).toBe(true);
    const many = parseReleaseProperties({ ...release, devices: Array(MAX_DEVICES_PER_RELEASE + 1).fill(line) }, { feature: 4 });
    expect(many.ok ? null : many.problems[0]).toMatchObject({ code: 'device.invalid', field: 'devices', ref: 'LR-1', feature: 4 });
    expect(many.ok ? '' : many.problems[0]!.reason).toContain(`at most ${MAX_DEVICES_PER_RELEASE} device lines`);
  });

  it('refuses future dates and an end before the start', () => {
    const problems = checkDates([{ field: 'start_date', value: '2026-12-01' }, { field: 'end_date', value: '2026-11-30' }], '2026-11-22', { ref: 'LR-1' });
    expect(problems.map((p) => [p.code, p.field])).toEqual([
      ['date.future', 'start_date'],
      ['date.future', 'end_date'],
      ['date.end-before-start', 'end_date'],
    ]);
    expect(checkDates([{ field: 'recorded_on', value: '2026-11-22' }], '2026-11-22', {})).toEqual([]);
  });
});
