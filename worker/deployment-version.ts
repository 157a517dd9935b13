/**
 * Worker versioning (Temporal Worker Deployments): which build of the workflow code a run's tasks go
 * to. Off unless the worker is given a build ID, so local development and the tests run unversioned as
 * before; in production every release sets GOLDEN_IMAGE_BUILD_ID (a git SHA, an image tag), and the
 * workers of one release form one Worker Deployment Version, `<deployment name>.<build ID>`.
 *
 * - GOLDEN_IMAGE_BUILD_ID: this build's ID; setting it switches versioning on.
 * - GOLDEN_IMAGE_DEPLOYMENT_NAME: the Worker Deployment (default: the task queue's name, so that a
 *   staging worker on its own task queue is a deployment of its own).
 *
 * Every workflow type is pinned (create-worker.ts says why): a run finishes on the build it started on,
 * and a new build takes new runs once an operator makes it current (README: Upgrading workers).
 */
import type { WorkerDeploymentVersion } from '@temporalio/common';
import { configuredTaskQueue } from '../contracts/task-queue';

/** The server's limit for both parts of a version. */
const MAX_LENGTH = 255;

/** This worker's deployment version from the environment, or undefined (versioning off); a bad value stops the worker with its reason. */
export function deploymentFromEnv(env: NodeJS.ProcessEnv = process.env): WorkerDeploymentVersion | undefined {
  const buildId = env.GOLDEN_IMAGE_BUILD_ID ?? '';
  const name = env.GOLDEN_IMAGE_DEPLOYMENT_NAME ?? '';
  if (!buildId) {
    if (name) throw new Error('GOLDEN_IMAGE_DEPLOYMENT_NAME is set but GOLDEN_IMAGE_BUILD_ID is not: worker versioning needs the build ID');
    return undefined;
  }
  const deploymentName = name || configuredTaskQueue(env);
  const nameSource = name ? 'GOLDEN_IMAGE_DEPLOYMENT_NAME' : 'the deployment name (the task queue, GOLDEN_IMAGE_TASK_QUEUE)';
  const problems = [
    ...partProblems('GOLDEN_IMAGE_BUILD_ID', buildId),
    ...partProblems(nameSource, deploymentName),
    // The server writes a version as `<deployment name>.<build ID>` or `<deployment name>:<build ID>`, so the name holds neither.
    ...(/[.:]/.test(deploymentName) ? [`${nameSource} must not contain "." or ":"`] : []),
  ];
  if (problems.length) throw new Error(problems.join('; '));
  return { deploymentName, buildId };
}

function partProblems(what: string, value: string): string[] {
  const problems: string[] = [];
  if (value.length > MAX_LENGTH) problems.push(`${what} must be at most ${MAX_LENGTH} characters (got ${value.length})`);
  if (value.trim() !== value || /\s/.test(value)) problems.push(`${what} must not contain whitespace`);
  return problems;
}
