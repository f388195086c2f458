/**
 * What the machine's lab and the lab-network engine process say to each other: the lab's own
 * routes and events, relayed. Requests carry an id their answer repeats; events travel in
 * batches. Both sides check every message's shape on arrival; the machine's lab also checks each
 * answer and event payload against the shared route and event schemas before passing it on.
 */
import { z } from 'zod';

export const ToEngine = z.object({
  type: z.literal('invoke'),
  id: z.number().int(),
  name: z.string().max(64),
  input: z.unknown(),
});
export type ToEngine = z.infer<typeof ToEngine>;

export const FromEngine = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready'), pid: z.number().int() }),
  z.object({ type: z.literal('result'), id: z.number().int(), output: z.unknown() }),
  z.object({
    type: z.literal('events'),
    events: z.array(z.object({ name: z.string().max(64), payload: z.unknown() })).max(100_000),
  }),
]);
export type FromEngine = z.infer<typeof FromEngine>;

/** How often the engine sends its gathered events. */
export const ENGINE_EVENT_MS = 10;
