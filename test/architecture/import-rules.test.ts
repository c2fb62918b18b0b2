import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const eslint = new ESLint({ cwd: root });

async function violations(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${root}/${file}` });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

/** The folder rules of ARCHITECTURE.md hold because the lint rule fires; this proves it does. */
describe('folder import rules', () => {
  const forbidden: [string, string][] = [
    ['server/src/x.ts', "import { createHandlers } from '@duet/workers';"],
    ['workers/src/x.ts', "import { runServer } from '@duet/server';"],
    ['workers/src/x.ts', "import { createApp } from '../../server/src/app.js';"],
    ['review-ui/src/x.ts', "import { openCore } from '@duet/core';"],
    ['recorder-agent/src/x.ts', "import { openCore } from '@duet/core';"],
    ['recorder-agent/src/x.ts', "import { x } from '../../review-ui/src/x.js';"],
    ['protocol/src/x.ts', "import { DuetError } from '@duet/core';"],
    ['core/src/x.ts', "import { runServer } from '@duet/server';"],
  ];
  for (const [file, code] of forbidden) {
    it(`refuses in ${file}: ${code}`, async () => {
      const found = await violations(file, `${code}\nexport const y = 1;\n`);
      expect(found.length).toBe(1);
      expect(found[0]).toMatch(/must not import/);
    });
  }

  const allowed: [string, string][] = [
    ['server/src/x.ts', "import { openCore } from '@duet/core';"],
    ['workers/src/x.ts', "import { PROTOCOL_VERSION } from '@duet/protocol';"],
    ['review-ui/src/x.ts', "import { PROTOCOL_VERSION } from '@duet/protocol';"],
  ];
  for (const [file, code] of allowed) {
    it(`allows in ${file}: ${code}`, async () => {
      expect(await violations(file, `${code}\nexport const y = 1;\n`)).toEqual([]);
    });
  }
});
