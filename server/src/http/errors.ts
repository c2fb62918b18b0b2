import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { z } from 'zod';
import { DuetError, InvalidInput, TooManyRequests } from '@duet/core';

/** Turns a zod failure into the API's field-level issues. */
export function zodIssues(err: z.ZodError): { path: string; message: string }[] {
  return err.issues.map((i) => ({ path: i.path.join('.') || '(body)', message: i.message }));
}

/** Parses untrusted input; a failure is a 400 that lists every bad field. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, what = 'request body'): z.infer<S> {
  const r = schema.safeParse(value);
  if (!r.success) {
    const issues = zodIssues(r.error);
    throw new InvalidInput(`The ${what} is invalid: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}.`, issues);
  }
  return r.data;
}

export const notFoundApi: RequestHandler = (req, res) => {
  res.status(404).json({ error: 'not_found', message: `No API endpoint ${req.method} ${req.path}. Check the method and path.` });
};

/**
 * One place that maps failures to responses: domain errors keep their status and message;
 * body-parser failures become 400/413/415 saying what to fix; anything else is a 500 whose
 * details stay in the server log.
 */
export function errorHandler(log: (msg: string) => void): ErrorRequestHandler {
  return (err, req, res, _next) => {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    if (err instanceof DuetError) {
      if (err instanceof TooManyRequests) res.setHeader('Retry-After', String(err.retryAfterSeconds));
      res.status(err.status).json({ ...err.extra(), error: err.code, message: err.message, ...(err.issues ? { issues: err.issues } : {}) });
      return;
    }
    const e = err as { type?: string; status?: number; limit?: number; message?: string };
    if (e.type === 'entity.parse.failed') {
      res.status(400).json({ error: 'malformed_json', message: 'The request body is not valid JSON. Send a JSON object with Content-Type: application/json.' });
      return;
    }
    if (e.type === 'entity.too.large') {
      res.status(413).json({ error: 'body_too_large', message: `The request body is larger than the ${Math.round((e.limit ?? 0) / 1024)} KB limit. Send less data per request.` });
      return;
    }
    if (e.type === 'encoding.unsupported' || e.type === 'charset.unsupported') {
      res.status(415).json({ error: 'unsupported_encoding', message: 'Send the body as UTF-8 JSON.' });
      return;
    }
    log(`error ${req.method} ${req.originalUrl}: ${(err as Error)?.stack ?? String(err)}`);
    res.status(500).json({ error: 'internal', message: 'Something went wrong on the server; it has been logged. Try again, and tell an admin if it persists.' });
  };
}
