/** The last step of `npm run build`: bundles the compiled workflow code for the production worker, without and with tracing. */
import { writeFile } from 'node:fs/promises';
import { DefaultLogger } from '@temporalio/worker';
import { bundleWorkflows, prebuiltBundlePath } from './workflow-bundle';

async function build(): Promise<void> {
  const logger = new DefaultLogger('WARN');
  // One after the other: bundling takes a few hundred MiB, and the build may share a small machine.
  for (const traced of [false, true]) {
    const { code } = await bundleWorkflows(logger, traced);
    await writeFile(prebuiltBundlePath(traced), code);
  }
}

build().catch((err) => {
  console.error(err);
  process.exit(1);
});
