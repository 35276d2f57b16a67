import { describe, expect, it } from 'vitest';
import { accessSummary, can, mayOpenView, requireAccess, scopeOf, seesDraftsOf, whoMay } from './access-policy.ts';
import { ROLES, type Principal, type Role } from './roles.ts';
import '../kinds/registry.ts';

const as = (role: Role, organisation = role.startsWith('operator') ? 'HALO' : role === 'donor_viewer' ? 'UNDP' : 'CMAA'): Principal =>
  ({ userId: 1, username: role, role, organisation, via: 'token' });

describe('the access policy', () => {
  it('lets anyone read the published record, and only staff its personal fields', () => {
    for (const kind of ['hazards', 'releases', 'finds']) {
      expect(can(null, 'read', { kind })).toBe(true);
      expect(can(null, 'read_personal', { kind })).toBe(false);
      expect(can(as('donor_viewer'), 'read_personal', { kind })).toBe(false);
      expect(can(as('operator_viewer'), 'read_personal', { kind })).toBe(true);
    }
  });

  it('scopes operators to their own organisation and the authority to any', () => {
    expect(scopeOf(as('operator_data_officer'), 'submit', 'hazards')).toBe('own');
    expect(can(as('operator_data_officer'), 'submit', { kind: 'hazards', organisation: 'HALO' })).toBe(true);
    expect(can(as('operator_data_officer'), 'submit', { kind: 'hazards', organisation: 'MAG' })).toBe(false);
    expect(can(as('authority_data_officer'), 'submit', { kind: 'hazards', organisation: 'MAG' })).toBe(true);
    expect(can(as('operator_viewer'), 'discrepancy', { organisation: 'HALO' })).toBe(true);
    expect(can(as('operator_viewer'), 'discrepancy', { organisation: 'MAG' })).toBe(false);
  });

  it('keeps a draft its preparers\' own, even from the authority', () => {
    expect(seesDraftsOf(as('operator_viewer'), 'HALO')).toBe(true);
    expect(seesDraftsOf(as('administrator'), 'HALO')).toBe(false);
    expect(seesDraftsOf(as('donor_viewer'), 'UNDP')).toBe(false);
  });

  it('refuses an unknown kind and names who may in a refusal', () => {
    expect(can(as('administrator'), 'approve', { kind: 'no-such-kind' })).toBe(false);
    expect(() => requireAccess(null, 'audit')).toThrow(expect.objectContaining({ status: 401 }));
    expect(() => requireAccess(as('operator_viewer'), 'audit')).toThrow(expect.objectContaining({ status: 403, message: expect.stringContaining('authority_reviewer') }));
    expect(whoMay('audit')).toContain('administrator (any organisation)');
  });

  it('offers each role the views it can use', () => {
    expect(mayOpenView(null, 'map')).toBe(true);
    for (const view of ['submissions', 'review-queue', 'audit', 'discrepancy'] as const) expect(mayOpenView(null, view), view).toBe(false);
    expect(mayOpenView(as('operator_data_officer'), 'submissions')).toBe(true);
    expect(mayOpenView(as('operator_data_officer'), 'review-queue')).toBe(false);
    expect(mayOpenView(as('operator_data_officer'), 'audit')).toBe(false);
    expect(mayOpenView(as('operator_viewer'), 'discrepancy')).toBe(true);
    expect(mayOpenView(as('authority_reviewer'), 'review-queue')).toBe(true);
    expect(mayOpenView(as('authority_reviewer'), 'audit')).toBe(true);
    expect(mayOpenView(as('authority_reviewer'), 'submissions')).toBe(false);
    expect(mayOpenView(as('donor_viewer'), 'discrepancy')).toBe(false);
    for (const role of ROLES) expect(accessSummary(as(role)).kinds.hazards?.read).toBe('any');
  });
});
