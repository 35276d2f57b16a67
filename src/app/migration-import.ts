// The administrator's migration import (the CLI's `import`): straight into the official record, for bringing
// a legacy database over, as only the machine's administrator can run it. Everyone else's import is a
// submission that another person approves (issue 8, point 5); this one is audited as what it is, naming the
// OS-level actor who ran it, in the import's own transaction.
import type { Database } from '../db/engine.ts';
import { machineAdministrator, requireAccess } from '../domain/access-policy.ts';
import { importRecords, type ImportReport, type ImportRequest } from './import-records.ts';

export const MIGRATION_IMPORT_ACTION = 'import.cli-migration';

export async function migrationImport(db: Database, request: Omit<ImportRequest, 'actor' | 'audit'>, by: { osUser: string; host: string }): Promise<ImportReport> {
  const principal = machineAdministrator(by.osUser);
  requireAccess(principal, 'import', { kind: request.kind });
  return importRecords(db, {
    ...request,
    actor: principal.username,
    audit: { action: MIGRATION_IMPORT_ACTION, details: { via: 'cli', os_user: by.osUser, host: by.host } },
  });
}
