/**
 * Worker versioning as configuration: off without a build ID (local development and the tests), on with
 * one, every bad value refused with its reason before the worker connects.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deploymentFromEnv } from '../worker/deployment-version';

test('no build ID: versioning off', () => {
  assert.equal(deploymentFromEnv({}), undefined);
  assert.equal(deploymentFromEnv({ GOLDEN_IMAGE_BUILD_ID: '' }), undefined);
});

test('a build ID: one version of the deployment named after the task queue, or of the one named', () => {
  assert.deepEqual(deploymentFromEnv({ GOLDEN_IMAGE_BUILD_ID: '2026-11-30-4f2a9c1' }), {
    deploymentName: 'golden-image',
    buildId: '2026-11-30-4f2a9c1',
  });
  assert.deepEqual(deploymentFromEnv({ GOLDEN_IMAGE_BUILD_ID: 'v1.4.0', GOLDEN_IMAGE_TASK_QUEUE: 'golden-image-staging' }), {
    deploymentName: 'golden-image-staging',
    buildId: 'v1.4.0',
  });
  assert.deepEqual(deploymentFromEnv({ GOLDEN_IMAGE_BUILD_ID: 'v1.4.0', GOLDEN_IMAGE_DEPLOYMENT_NAME: 'images' }), {
    deploymentName: 'images',
    buildId: 'v1.4.0',
  });
});

test('bad values are refused with their reason', () => {
  assert.throws(() => deploymentFromEnv({ GOLDEN_IMAGE_DEPLOYMENT_NAME: 'images' }), /GOLDEN_IMAGE_BUILD_ID is not/);
  assert.throws(() => deploymentFromEnv({ GOLDEN_IMAGE_BUILD_ID: 'v1', GOLDEN_IMAGE_DEPLOYMENT_NAME: 'images.prod' }), {
    message: 'GOLDEN_IMAGE_DEPLOYMENT_NAME must not contain "." or ":"',
  });
  assert.throws(
    () => deploymentFromEnv({ GOLDEN_IMAGE_BUILD_ID: 'v1', GOLDEN_IMAGE_TASK_QUEUE: 'golden:image' }),
    /the task queue, GOLDEN_IMAGE_TASK_QUEUE\) must not contain/,
  );
  assert.throws(() => deploymentFromEnv({ GOLDEN_IMAGE_BUILD_ID: 'v 1' }), {
    message: 'GOLDEN_IMAGE_BUILD_ID must not contain whitespace',
  });
  assert.throws(() => deploymentFromEnv({ GOLDEN_IMAGE_BUILD_ID: 'x'.repeat(256) }), {
    message: 'GOLDEN_IMAGE_BUILD_ID must be at most 255 characters (got 256)',
  });
});
