/** Block-device mappings as pipeline configs give them: for CreateImage, and for the instances a bake launches. */
import { z } from 'zod';

/** EC2's range for the rate at which a new volume is filled from its snapshot. */
export const volumeInitializationRate = z
  .number()
  .int()
  .min(100, 'must be between 100 and 300 MiB/s')
  .max(300, 'must be between 100 and 300 MiB/s');

export const blockDeviceMapping = z.strictObject({
  deviceName: z.string().regex(/^\/dev\/[a-z0-9]+$/, 'must be a device name such as /dev/sda1 or /dev/xvda'),
  volumeSize: z.number().int().min(1).max(65_536).optional(),
  volumeType: z.enum(['gp2', 'gp3', 'io1', 'io2', 'st1', 'sc1', 'standard']).optional(),
  deleteOnTermination: z.boolean().optional(),
  volumeInitializationRate: volumeInitializationRate.optional(),
});

export type BlockDeviceMappingSpec = z.output<typeof blockDeviceMapping>;
