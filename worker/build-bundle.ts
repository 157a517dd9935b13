/** The last step of `npm run build`: bundles the compiled workflow code for the production worker. */
import { writeFile } from 'node:fs/promises';
import { DefaultLogger } from '@temporalio/worker';
import { bundleWorkflows, PREBUILT_BUNDLE_PATH } from './workflow-bundle';

bundleWorkflows(new DefaultLogger('WARN'))
  .then(({ code }) => writeFile(PREBUILT_BUNDLE_PATH, code))
  .catch((err) => {
    console.error(err);
    process.exit(1);
  });
