// `node --import tsx --import ./bench/lib/duet-from-source.mjs file.ts`: runs Duet's packages
// from their TypeScript sources (see duet-source-hooks.mjs).
import { register } from 'node:module';

register('./duet-source-hooks.mjs', import.meta.url);
