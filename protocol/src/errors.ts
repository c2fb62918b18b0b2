import { z } from 'zod';

/**
 * The one error body every REST endpoint answers with. `error` is a stable machine code,
 * `message` says what is wrong and what to do about it, `issues` lists field-level problems.
 */
export const ApiError = z.object({
  error: z.string(),
  message: z.string(),
  issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  /** media not ready (409): the interaction's status and its processing progress, 0..1 or null */
  interactionStatus: z.string().optional(),
  progress: z.number().min(0).max(1).nullable().optional(),
});
export type ApiError = z.infer<typeof ApiError>;
