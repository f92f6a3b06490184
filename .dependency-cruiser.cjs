/**
 * The layers of src/, lowest first: a module may import its own layer and the layers below it, never one
 * above, and no import circle may form (type-only imports count: a circle of types is still a circle a
 * reader has to hold in their head). docs/architecture.md draws the same picture in words.
 * `npm run lint` runs this; a broken rule names both files and the rule.
 */
const layers = [
  // 0. Leaves every layer may import: the one error hierarchy (with load diagnostics), typed state, units.
  ['errors', 'state', 'units'],
  // 1. Configuration and the observability leaf (logger, metrics registry).
  ['config', 'observability'],
  // 2. Messaging: RabbitMQ and the in-memory transport behind one contract.
  ['transport'],
  // 3. The contracts and lifecycle: exchange, processor, component, step, language, definitions, registry,
  //    router, readiness.
  ['runtime'],
  // 4. Reading route files; expression languages; the reliability parts (breakers, retries, stores).
  ['dsl', 'languages', 'reliability'],
  // 5. Who may call what: RBAC file, authentication, authorization, header boundaries.
  ['security'],
  // 6. Route error handling (Camel's errorHandler/onException).
  ['errorhandling'],
  // 7. Components and EIPs: peers that never import each other.
  ['components', 'eips'],
  // 8. Building processors from route definitions.
  ['builder'],
  // 9. The HTTP server.
  ['server'],
  // 10. Modules with a lifecycle of their own.
  ['asyncengine', 'admin'],
  // 11. The composition root, then the command line.
  ['app'],
  ['cli'],
];

const folder = (name) => `^src/${name}(/|\\.ts$)`;
const above = (index) => layers.slice(index + 1).flat();

module.exports = {
  forbidden: [
    {
      name: 'no-circular-across-folders',
      severity: 'error',
      comment:
        'An import circle through two folders (type imports included): move the shared contract down a layer.',
      from: { path: '^src/([^/]+)/' },
      to: { circular: true, viaSomeNot: '^src/$1/' },
    },
    {
      name: 'no-circular-values',
      severity: 'error',
      comment:
        'A circle of value imports (evaluation order depends on who loads first). Inside one folder, contracts ' +
        'may refer to each other by type only (RouterServices holds the Registry whose specs receive RouterServices).',
      from: { path: '^src/' },
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    ...layers.flatMap((names, index) =>
      (index === layers.length - 1 ? [] : names).map((name) => ({
        name: `layer-${name}`,
        severity: 'error',
        comment: `${name} sits in layer ${index}: it imports only its own layer and the ones below (docs/architecture.md).`,
        from: { path: folder(name) },
        to: { path: above(index).map(folder) },
      })),
    ),
    ...[
      ['components', 'eips'],
      ['eips', 'components'],
    ].map(([from, to]) => ({
      name: 'components-and-eips-are-peers',
      severity: 'error',
      comment: 'Components and EIPs never import each other: what both need belongs in runtime/ (or reliability/).',
      from: { path: folder(from) },
      to: { path: folder(to) },
    })),
    {
      name: 'transport-knows-only-errors',
      severity: 'error',
      comment: 'transport/ imports nothing of the router but the leaf errors, config and the logger.',
      from: { path: folder('transport') },
      to: { path: '^src/', pathNot: [folder('transport'), folder('errors'), folder('config'), '^src/observability/logger\\.ts$'] },
    },
    {
      name: 'dsl-and-security-never-touch-transport',
      severity: 'error',
      comment: 'Reading route files and deciding who may call what never import messaging (they run in `pipes validate`).',
      from: { path: [folder('dsl'), folder('security')] },
      to: { path: folder('transport') },
    },
    {
      name: 'unknown-folder',
      severity: 'error',
      comment: 'Every folder of src/ has a layer in .dependency-cruiser.cjs: add the new one there (and to docs/architecture.md).',
      from: { path: '^src/', pathNot: layers.flat().map(folder) },
      to: {},
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist)' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
