/**
 * The module boundaries of docs/architecture ("Layout"), checked on every `npm run lint`, so that a
 * wrong arrow fails CI instead of waiting for review:
 *  - each folder under src/ is a module, used from outside only through its index.ts;
 *  - modules depend downwards only, in the order of MODULE_RANK (a module may use modules of a lower
 *    rank; `sandbox` may also use `ecd`, beside which it sits);
 *  - no cycles, anywhere;
 *  - tests reach into the module they test (test/<module>/ → src/<module>/…) and nowhere else;
 *    benchmarks and test support use indexes only.
 */

/** Lower ranks are lower in the stack. Top-level files: app.ts, then commands/, then cli.ts. */
const MODULE_RANK = {
  errors: 0,
  calendar: 1,
  vocabulary: 1,
  definitions: 1,
  config: 2,
  store: 2,
  http: 3,
  resources: 3,
  consent: 4,
  audit: 4,
  ecd: 5,
  auth: 5,
  sandbox: 5,
  fhir: 6,
  admin: 6,
  app: 7,
  report: 7,
  commands: 8,
  cli: 9,
};
/** Same-rank arrows that the architecture allows. */
const ALSO_ALLOWED = { sandbox: ['ecd'] };

const modules = Object.keys(MODULE_RANK);
/** The path pattern of a module's files: a folder under src/, or a top-level file (app.ts, cli.ts). */
const pathOf = (name) => (name === 'app' || name === 'cli' ? `^src/${name}\\.ts$` : `^src/${name}/`);

const layering = modules.flatMap((name) => {
  const notAllowed = modules.filter(
    (other) =>
      other !== name &&
      MODULE_RANK[other] >= MODULE_RANK[name] &&
      !(ALSO_ALLOWED[name] ?? []).includes(other),
  );
  // An empty list would match every path: a module with nothing above it needs no rule.
  if (notAllowed.length === 0) return [];
  return {
    name: `layering-${name}`,
    comment: `${name} may depend only on modules below it (architecture.md, "Layout")`,
    severity: 'error',
    from: { path: pathOf(name) },
    to: { path: notAllowed.map(pathOf) },
  };
});

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'Cycles make the module order meaningless.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'unknown-module',
      comment: 'Every folder under src/ is a module named in MODULE_RANK (.dependency-cruiser.cjs).',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^src/', pathNot: [...modules.map(pathOf)] },
    },
    {
      name: 'module-through-index',
      comment: "Use another module through its index.ts ('../consent'), never its inner files.",
      severity: 'error',
      from: { path: '^src/([^/]+)/' },
      to: { path: '^src/[^/]+/.+', pathNot: ['^src/$1/', '^src/[^/]+/index\\.ts$'] },
    },
    {
      name: 'top-level-through-index',
      comment: 'app.ts and cli.ts use modules through their index.ts only.',
      severity: 'error',
      from: { path: '^src/[^/]+\\.ts$' },
      // The Node.js version check is loaded on its own, first, before any module that needs Node 24.
      to: { path: '^src/[^/]+/.+', pathNot: ['^src/[^/]+/index\\.ts$', '^src/commands/node-version\\.ts$'] },
    },
    {
      name: 'test-reaches-own-module-only',
      comment:
        'A test may reach into the module it tests (test/<module>/ → src/<module>/), and nowhere else.',
      severity: 'error',
      from: { path: '^test/([^/]+)/' },
      to: { path: '^src/[^/]+/.+', pathNot: ['^src/$1/', '^src/[^/]+/index\\.ts$'] },
    },
    {
      name: 'bench-and-support-use-indexes',
      comment: 'Benchmarks and test support use modules through their index.ts.',
      severity: 'error',
      from: { path: '^(bench|test/support)/' },
      to: { path: '^src/[^/]+/.+', pathNot: ['^src/[^/]+/index\\.ts$'] },
    },
    {
      name: 'src-never-imports-tests',
      comment: 'Production code never depends on tests, benchmarks or scripts.',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(test|bench|scripts)/' },
    },
    ...layering,
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|node_modules|coverage)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
    },
  },
};
