/**
 * Channel names and batching period of the bridge, free of imports so the sandboxed preload
 * can use them without bundling zod. `events.ts` re-exports them; import from either.
 */

/** How long transports gather events before sending one batch. */
export const EVENT_BATCH_MS = 16;

/** The one IPC channel for requests and the one for event batches. */
export const INVOKE_CHANNEL = 'socklab:invoke';
export const EVENT_CHANNEL = 'socklab:events';
