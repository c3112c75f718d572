/** Jest global teardown: stops containers this run started; local processes stay up for the next run. */
export default async function globalTeardown(): Promise<void> {
  await globalThis.__labInfrastructure?.release();
}
