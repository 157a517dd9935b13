/**
 * The arrows of the layout (README, "Layout"), checked in CI (`npm run deps`): each folder imports only the folders
 * below it, and no file or folder takes part in an import cycle.
 */
const OURS = '^(contracts|workflows|activities|worker|client|codec-server|dev|sandbox|test|bench)/';
/** A service's folder in the sandbox: any folder but the plumbing (core/), persistence/ and test/. */
const SANDBOX_SERVICE = '^sandbox/((?!(?:core|persistence|test)/)[^/]+)/';
const only = (name, from, allowed) => ({
  name,
  severity: 'error',
  from: { path: `^${from}/` },
  to: { path: OURS, pathNot: `^(${[from, ...allowed].join('|')})/` },
});

module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
    only('contracts-import-nothing-of-ours', 'contracts', []),
    only('activities-import-only-contracts', 'activities', ['contracts']),
    only('client-imports-only-contracts', 'client', ['contracts']),
    only('codec-server-imports-only-contracts', 'codec-server', ['contracts']),
    only('worker-imports-workflows-activities-contracts', 'worker', ['workflows', 'activities', 'contracts']),
    only('sandbox-imports-nothing-of-ours', 'sandbox', []),
    {
      // Workflow code is bundled and replayed: activities reach it only as the type proxyActivities takes.
      name: 'workflows-import-contracts-and-activity-types',
      severity: 'error',
      from: { path: '^workflows/' },
      to: { path: OURS, pathNot: '^(workflows|contracts|activities)/' },
    },
    {
      name: 'workflows-import-activities-as-types-only',
      severity: 'error',
      from: { path: '^workflows/' },
      to: { path: '^activities/', dependencyTypesNot: ['type-only'] },
    },
    {
      // AWS plumbing is shared by the services; a service's folder never reaches into another's.
      name: 'aws-plumbing-knows-no-service',
      severity: 'error',
      from: { path: '^activities/aws/' },
      to: { path: '^activities/(ec2|appstream)/' },
    },
    {
      name: 'services-stay-apart',
      severity: 'error',
      from: { path: '^activities/(ec2|appstream)/' },
      to: { path: '^activities/(ec2|appstream)/', pathNot: '^activities/$1/' },
    },
    {
      // Every folder of the sandbox but these is a service's, so a new service is covered as soon as it exists.
      name: 'sandbox-services-stay-apart',
      severity: 'error',
      from: { path: SANDBOX_SERVICE },
      to: { path: SANDBOX_SERVICE, pathNot: '^sandbox/$1/' },
    },
    {
      name: 'sandbox-core-knows-no-service',
      severity: 'error',
      from: { path: '^sandbox/core/' },
      to: { path: SANDBOX_SERVICE },
    },
    {
      // The sandbox is a package of its own: the rest reaches it by its name, through its index only.
      name: 'sandbox-through-its-index',
      severity: 'error',
      from: { pathNot: '^sandbox/' },
      to: { path: '^sandbox/', pathNot: '^sandbox/index[.]ts$' },
    },
    {
      name: 'only-dev-tests-and-bench-use-the-sandbox-and-helpers',
      severity: 'error',
      from: { path: '^(contracts|workflows|activities|worker|client|codec-server)/' },
      to: { path: '^(dev|test|bench|sandbox)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    combinedDependencies: false,
  },
};
