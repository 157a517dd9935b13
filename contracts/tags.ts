/**
 * The tags the pipeline puts on everything it creates, and how many AWS allows a resource; the schema
 * of the tags a user gives is in user-tags.ts.
 */

/** Marks a pipeline's images, so that retention only ever lists (and removes) that pipeline's own. */
export const PIPELINE_TAG = 'golden-image:pipeline';
/** Marks the run that created a resource, so that a retried create adopts what its own run made. */
export const RUN_TAG = 'golden-image:run-id';
/**
 * Written on a pipeline's image (value: when) once its run has finished successfully. Retention lists only
 * released images, so an image whose run is still waiting, awaiting approval or rolling out is never retired.
 */
export const RELEASED_TAG = 'golden-image:released';
/** EC2's own tag on an instance launched from a launch template: the template's ID (a rollout by template selects on it). */
export const LAUNCH_TEMPLATE_ID_TAG = 'aws:ec2launchtemplate:id';
/** On the instances a bake launches: `build` or `test`, so that clean-up finds each one by its run and role. */
export const INSTANCE_ROLE_TAG = 'golden-image:role';
/** On a baked image: the base image it was made from, and the fingerprint of its recipe (skip-if-unchanged reads both). */
export const SOURCE_IMAGE_TAG = 'golden-image:source-image';
export const RECIPE_TAG = 'golden-image:recipe';
export const OWN_TAG_COUNT = [PIPELINE_TAG, RUN_TAG, RELEASED_TAG].length;
/** A baked image carries these two more: a bake leaves that much less room for the user's tags. */
export const BAKE_TAG_COUNT = [SOURCE_IMAGE_TAG, RECIPE_TAG].length;

/** EC2's and AppStream's tag limits: 50 tags a resource, keys up to 128 characters, values up to 256, no `aws:` prefix. */
export const MAX_TAGS = 50;
