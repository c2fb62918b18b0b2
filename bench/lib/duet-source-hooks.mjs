// Module resolution hooks: `@duet/<package>` resolves to that workspace's TypeScript source
// (`<package>/src/index.ts`) instead of its built `dist/`, so a benchmark measures the code in the
// working tree without a build step, as vitest does with its aliases. tsx (registered first)
// compiles the .ts files. Registered by duet-from-source.mjs.
const PACKAGES = new Set(['protocol', 'core', 'server', 'workers']);

export async function resolve(specifier, context, nextResolve) {
  const m = /^@duet\/([a-z-]+)$/.exec(specifier);
  if (m && PACKAGES.has(m[1])) {
    return nextResolve(new URL(`../../${m[1]}/src/index.ts`, import.meta.url).href, context);
  }
  return nextResolve(specifier, context);
}
