import { z } from 'zod';

/**
 * `POST /api/cti/events`: what a phone system (CTI) says about a call, with an integration token
 * that has the `cti` scope. Duet forwards it to the agent's recorders, which start or stop.
 */
export const CtiEvent = z.object({
  event: z.enum(['call-started', 'call-ended']),
  /** the agent's Duet username or user id */
  agent: z.string().min(1).max(200),
  callId: z.string().min(1).max(128).regex(/^[\x20-\x7e]+$/, 'printable ASCII only'),
  direction: z.enum(['inbound', 'outbound']).optional(),
  /** the customer's number as the phone system knows it; audited, never sent to the browser */
  customerNumber: z.string().max(40).regex(/^[0-9+*#() .-]*$/, 'digits and + * # ( ) . - only').optional(),
});
export type CtiEvent = z.infer<typeof CtiEvent>;

export const CtiEventResult = z.object({
  /** recorder connections of the agent that got the event; 0 means no recorder is open for them */
  delivered: z.number().int().min(0),
  message: z.string(),
});
export type CtiEventResult = z.infer<typeof CtiEventResult>;
