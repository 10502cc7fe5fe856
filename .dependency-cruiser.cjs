// Import rules for src/, as docs/ARCHITECTURE.md ("Layers") states them. A module imports from its own
// folder and from lower tiers only: never upward, never sideways into another folder of its tier.
// Checked by `npm run lint` (scripts/check-imports.mjs).

/** Lowest first: folders under src/, and `index` for src/index.ts. */
const TIERS = [
  ['core'],
  ['io', 'schema', 'formats', 'clean', 'tokenize', 'metrics', 'dedupe'],
  ['stages', 'report'],
  ['pipeline'],
  ['gguf'],
  ['eval', 'serve'],
  ['compare'],
  ['index'],
  ['cli'],
];

const modulePath = (name) => (name === 'index' ? '^src/index\\.ts$' : `^src/${name}/`);
const anyOf = (names) => names.map(modulePath).join('|');

const upwardRules = TIERS.slice(0, -1).map((tier, level) => {
  const higher = TIERS.slice(level + 1).flat();
  return {
    name: `no-upward-from-${tier.join('-')}`,
    comment: `${tier.join(', ')} may not import a higher tier (${higher.join(', ')})`,
    severity: 'error',
    from: { path: anyOf(tier) },
    to: { path: anyOf(higher) },
  };
});

const sidewaysRules = TIERS.filter((tier) => tier.length > 1).flatMap((tier) =>
  tier.map((name) => {
    const others = tier.filter((other) => other !== name);
    return {
      name: `no-sideways-from-${name}`,
      comment: `${name} may not import ${others.join(', ')} (same tier)`,
      severity: 'error',
      from: { path: modulePath(name) },
      to: { path: anyOf(others) },
    };
  }),
);

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'no import cycles, static or lazy',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'nothing-imports-cli',
      comment: 'cli is the top: only cli imports cli',
      severity: 'error',
      from: { pathNot: '^src/cli/' },
      to: { path: '^src/cli/' },
    },
    {
      name: 'no-orphans',
      comment: 'a module nothing imports is dead code (entry points and workers excepted)',
      severity: 'warn',
      from: {
        orphan: true,
        pathNot: [
          '^src/index\\.ts$',
          '^src/cli/main\\.ts$',
          '^src/tokenize/worker\\.ts$',
          '^src/pipeline/front-worker\\.ts$',
        ],
      },
      to: {},
    },
    ...upwardRules,
    ...sidewaysRules,
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|node_modules)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
