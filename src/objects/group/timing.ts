// Timers of the group paths that the footprint test shortens to measure
// messages spaced past them (src/objects/footprint-group.test.ts), as the
// tests' SOCKET_TIMEOUT_MS shortens the presence sweep. Read at each use.

export const groupTiming = {
  /** How long moved cursors and positions may wait in memory before they are written. */
  flushMs: 30_000,
};
