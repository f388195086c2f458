/** Building blocks of the route catalogue, kept apart so every area's routes can use them. */
import { z } from 'zod';
import { ErrnoName } from './socket';
import { LabTextSchema } from './lab-text';

/** A route: the schemas of what goes in and what comes out. */
export interface Route<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  input: I;
  output: O;
}
/** Declares a route; a function so the catalogue reads as a list of contracts. */
export function defineRoute<I extends z.ZodType, O extends z.ZodType>(input: I, output: O): Route<I, O> {
  return { input, output };
}

/** The answer of a route that is not a BSD call: a value, or an errno-style error. */
export function result<T extends z.ZodType>(value: T) {
  return z.discriminatedUnion('ok', [
    z.object({ ok: z.literal(true), value }),
    z.object({
      ok: z.literal(false),
      errno: ErrnoName,
      code: z.number().int(),
      message: z.string(),
      /** `message` as a key with parameters, for the UI's language (see lab-text.ts). */
      text: LabTextSchema.optional(),
      /** Set when the failure is a SockLab bug, not an answer the OS gave (see internalRefusal). */
      internal: z.literal(true).optional(),
    }),
  ]);
}
