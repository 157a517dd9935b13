/** The schema pieces both AppStream configs share: an AppStream name, and an image builder's instance type. */
import { z } from 'zod';
import { APPSTREAM_NAME, APPSTREAM_NAME_RULE } from './appstream-names';

export const appStreamName = z.string().regex(APPSTREAM_NAME, APPSTREAM_NAME_RULE);

/**
 * The instance families AppStream offers for image builders: standard, compute, memory (also z1d)
 * and the graphics families (graphics, graphics-design, graphics-pro, graphics.g4dn, graphics.g5).
 */
const INSTANCE_TYPE = /^stream\.(standard|compute|memory|graphics(?:-design|-pro)?)(?:\.[a-z0-9]+)?\.(?:small|medium|large|\d*xlarge)$/;
export const DEFAULT_BUILDER_INSTANCE_TYPE = 'stream.standard.medium';

export const appStreamInstanceType = z
  .string()
  .regex(
    INSTANCE_TYPE,
    'must be an AppStream instance type such as stream.standard.medium (families: standard, compute, memory, graphics*)',
  );
