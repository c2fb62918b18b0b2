import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Why browser tests cannot run here, or null. In CI a missing browser fails the run instead. */
export function browserUnavailable(): string | null {
  if (existsSync(CHROMIUM)) return null;
  const reason = `no Chromium at ${CHROMIUM} (apt-get install chromium)`;
  if (process.env.CI === 'true') throw new Error(`${reason}; in CI a skipped suite is a failure`);
  console.warn(`[harness] BROWSER SUITE SKIPPED: ${reason}`);
  return reason;
}

/** Headless, and quiet on this machine's closed network (no background connections). */
export const CHROMIUM_BASE_ARGS: readonly string[] = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** Debian's Chromium with {@link CHROMIUM_BASE_ARGS} and any extra flags. */
export function launchChromium(extraArgs: readonly string[] = []): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_BASE_ARGS, ...extraArgs] });
}

/** Screenshots land in test-results/screenshots so a person can look at them after a run. */
export async function screenshotPath(name: string): Promise<string> {
  const dir = fileURLToPath(new URL('../../test-results/screenshots', import.meta.url));
  await mkdir(dir, { recursive: true });
  return path.join(dir, `${name}.png`);
}
