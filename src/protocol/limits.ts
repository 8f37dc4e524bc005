/** The protocol's numbers, shared by the runner and the page (no dependencies: the page bundles it). */
export const PROTOCOL_VERSION = 1;
/** Largest message a page may send: a cell's code with some room. */
export const MAX_MESSAGE_BYTES = 64 * 1024;
export const HELLO_DEADLINE_MS = 5000;
/** Output the runner sends ahead of the page's acknowledgements before it pauses the PTY. */
export const HIGH_WATER_BYTES = 512 * 1024;
export const LOW_WATER_BYTES = 128 * 1024;
/**
 * The close code of a hello the runner has no room for (RFC 6455's "Try Again Later"): too
 * many page sessions on the runner, or for this page. An `error` message before it says which.
 */
export const TRY_AGAIN_LATER = 1013;
