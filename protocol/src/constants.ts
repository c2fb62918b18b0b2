/**
 * The contracts' plain constants, without zod: the review UI's browser code imports this module
 * (`@duet/protocol/constants`) for the few values it needs at run time, so the schemas (and zod,
 * ~90 KB) stay out of the pages that only need these, the player first. The modules that define
 * the schemas re-export them, so `@duet/protocol` keeps offering every name it did.
 */

/** The version of the contracts in this package. */
export const PROTOCOL_VERSION = 1;

/** Every role a Duet user can hold; a user may hold several. */
export const ROLES = ['admin', 'supervisor', 'qa', 'trainer', 'executive', 'agent'] as const;

/** Longest comment text, in characters: a coaching note, not an essay. */
export const COMMENT_MAX_CHARS = 2000;
