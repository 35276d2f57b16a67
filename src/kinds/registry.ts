// Every kind of record Clearway holds. Pipelines iterate this list; adding a kind is adding its module here.
import { registerKindProfile } from '../domain/access-policy.ts';
import { findKind } from './find.ts';
import { hazardKind } from './hazard.ts';
import type { KindId, RecordKind } from './kind.ts';
import { releaseKind } from './release.ts';

export { KIND_IDS, isKindId, type KindId, type RecordKind } from './kind.ts';

export const KINDS: Readonly<Record<KindId, RecordKind<object>>> = {
  hazards: hazardKind as RecordKind<object>,
  releases: releaseKind as RecordKind<object>,
  finds: findKind as RecordKind<object>,
};

// The policy evaluates every kind's rules in one place; each kind tells it which profile it follows.
for (const kind of Object.values(KINDS)) registerKindProfile(kind.id, kind.access);

export const kindOf = (id: KindId): RecordKind<object> => KINDS[id];
