import { hash, verify } from '@node-rs/argon2';

/**
 * argon2id with OWASP's 2024 minimum (19 MiB, 2 iterations, 1 lane): strong against GPU guessing
 * while a login still costs only tens of milliseconds on a 2-core server.
 */
const OPTIONS = { algorithm: 2 /* Argon2id */, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

export async function verifyPassword(storedHash: string, password: string): Promise<boolean> {
  try {
    return await verify(storedHash, password);
  } catch {
    return false;
  }
}

/**
 * A real hash of a random string, verified when the user does not exist so that "unknown user"
 * and "wrong password" take the same time and cannot be told apart.
 */
let dummy: Promise<string> | undefined;
export function dummyHash(): Promise<string> {
  dummy ??= hashPassword(`dummy-${Math.random()}`);
  return dummy;
}
