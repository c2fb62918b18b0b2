import { z } from 'zod';
import { checkS3Complete, coreConfigHints, coreConfigShape, envBool, envPort, parseConfig } from '@duet/core';

/** The server's configuration: the shared core keys plus the HTTP face's own. */
export const serverConfigSchema = z
  .object({
    ...coreConfigShape,
    PORT: envPort.default(8080),
    HOST: z.string().default('127.0.0.1'),
    PUBLIC_URL: z.url('must be the URL people open, e.g. https://duet.example.com').optional(),
    COOKIE_SECURE: envBool.optional(),
    TRUST_PROXY: z.string().optional(),
    SESSION_IDLE_MINUTES: z.coerce.number().int().min(5).max(7 * 24 * 60).default(12 * 60),
    SESSION_ABSOLUTE_HOURS: z.coerce.number().int().min(1).max(24 * 90).default(7 * 24),
    JSON_BODY_LIMIT_KB: z.coerce.number().int().min(1).max(100_000).default(1024),
    SEED_DEMO: envBool.optional(),
    // The /demo pages let any signed-in agent mint a recorder token for themselves: right for
    // trying Duet, not for a production contact center, where admins issue tokens.
    DEMO_PAGES: envBool.optional(),
    ADMIN_USERNAME: z.string().regex(/^[a-z0-9._-]{2,64}$/, 'use lower-case letters, digits, ".", "-" or "_"').default('admin'),
    ADMIN_PASSWORD: z.string().min(12, 'must be at least 12 characters').optional(),
    UI_DIR: z.string().optional(),
    SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).default(15_000),
    // Largest PBX recording accepted by POST /api/interactions/import; 200 MB is ~7 h of 8 kHz
    // 16-bit stereo WAV. Capped below 2 GB (the size column is a 32-bit integer).
    IMPORT_MAX_MB: z.coerce.number().int().min(1).max(2000).default(200),
  });

export type ServerConfig = z.infer<typeof serverConfigSchema>;

export const serverConfigHints = {
  ...coreConfigHints,
  PORT: 'a free TCP port; 0 picks one',
  HOST: 'use 0.0.0.0 to listen on every interface (containers)',
  COOKIE_SECURE: 'defaults to true when PUBLIC_URL is https',
  TRUST_PROXY: 'e.g. "loopback" or "1" behind one reverse proxy (see express "trust proxy")',
  ADMIN_PASSWORD: 'creates the first admin on an empty production database',
  IMPORT_MAX_MB: 'whole megabytes, 1 to 2000',
  DEMO_PAGES: 'true or false; defaults to true without DATABASE_URL (embedded), false in production',
};

export function loadServerConfig(env: Record<string, string | undefined> = process.env): ServerConfig {
  return parseConfig(serverConfigSchema, env, serverConfigHints, [checkS3Complete]);
}
