/**
 * AppStream 2.0's naming rules and the schema pieces both AppStream workflows share, checked before
 * any call is made: AWS would refuse the same values, but only after the run has started.
 */
import { z } from 'zod';

/** AWS's pattern for AppStream image and image-builder names. */
export const APPSTREAM_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,100}$/;
export const APPSTREAM_NAME_RULE = 'must be 1-101 letters, digits, ".", "_" or "-", starting with a letter or digit';

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
