// The limits Clearway sets on what it is sent, named in the README ("Limits"). Each refusal is a clear
// 413 or 422 naming the limit, never a server that runs out of memory or time.

/** A polygon with more vertices is refused: a national hazard needs hundreds, a digitising slip makes millions. */
export const MAX_VERTICES_PER_POLYGON = 100_000;
/** Items in one submission: a month's completion reports of a large operator fit many times over. */
export const MAX_ITEMS_PER_SUBMISSION = 20_000;
/** Drafts an organisation may hold at once: drafts are work in progress, not storage. */
export const MAX_DRAFTS_PER_ORGANISATION = 50;
/** The smallest area a hazard or a release may have, in m2: smaller is a digitising slip, not land. */
export const MIN_AREA_M2 = 1;
