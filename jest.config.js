// One jest run, two projects:
//  - unit: pure logic beside the code (src/**/*.test.ts), no infrastructure;
//  - integration: suites under each workspace's test/ that talk to the real components.
//    Its global setup resolves PostgreSQL, Temporal, Kafka, S3 and Redis once per run
//    (environment, else testcontainers, else scripts/infra) and exports their variables.
//  - deploy: checks of the Dockerfiles, docker-compose.yml and the Helm chart, without Docker or
//    a cluster (deploy/test/*.test.ts); its global setup installs Helm (scripts/deploy/tools).
//    Checks that need the real infrastructure live in deploy/test/integration/ (integration).
const swc = [
  '@swc/jest',
  {
    jsc: {
      target: 'es2023',
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
    },
    module: { type: 'commonjs' },
    sourceMaps: 'inline',
  },
];

const moduleNameMapper = {
  '^@lab/contracts$': '<rootDir>/packages/contracts/src',
  '^@lab/contracts/dto$': '<rootDir>/packages/contracts/src/dto',
  '^@lab/conversation$': '<rootDir>/packages/conversation/src',
  '^@lab/platform$': '<rootDir>/packages/platform/src',
  '^@lab/platform/testing$': '<rootDir>/packages/platform/src/testing',
  '^@lab/platform/http$': '<rootDir>/packages/platform/src/http',
  '^@lab/platform/database$': '<rootDir>/packages/platform/src/database',
  '^@lab/platform/outbox$': '<rootDir>/packages/platform/src/outbox',
  '^@lab/platform/temporal$': '<rootDir>/packages/platform/src/temporal',
  '^@lab/platform/telemetry(/register)?$': '<rootDir>/packages/platform/src/telemetry$1',
  '^@lab/mock-llm$': '<rootDir>/tools/mock-llm/src',
  '^@lab/client$': '<rootDir>/packages/client/src',
  '^@lab/workflows$': '<rootDir>/workflows/src',
  '^@lab/workflows/ids$': '<rootDir>/workflows/src/ids',
  '^@lab/workflows/definitions$': '<rootDir>/workflows/src/definitions',
};

const common = {
  rootDir: __dirname,
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': swc },
  moduleNameMapper,
  modulePathIgnorePatterns: ['<rootDir>/.infra/', '/dist/'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '<rootDir>/.infra/'],
};

/** @type {import('jest').Config} */
module.exports = {
  // A global option (ignored inside projects): integration tests run whole turns.
  testTimeout: 60_000,
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/**/src/**/*.test.ts'],
      // The portal's component tests run in vitest (a browser-like DOM), not here.
      testPathIgnorePatterns: [...common.testPathIgnorePatterns, '<rootDir>/portal/src/'],
    },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/**/test/**/*.test.ts'],
      testPathIgnorePatterns: [...common.testPathIgnorePatterns, '<rootDir>/deploy/test/[^/]+$'],
      globalSetup: '<rootDir>/packages/platform/src/testing/global-setup.ts',
      globalTeardown: '<rootDir>/packages/platform/src/testing/global-teardown.ts',
    },
    {
      ...common,
      displayName: 'deploy',
      testMatch: ['<rootDir>/deploy/test/*.test.ts'],
      globalSetup: '<rootDir>/deploy/test/support/global-setup.ts',
    },
  ],
};
