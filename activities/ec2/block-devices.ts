/** Block-device mappings as EC2 takes them (CreateImage, RunInstances), from the config's. */
import type { BlockDeviceMapping, VolumeType } from '@aws-sdk/client-ec2';
import type { BlockDeviceMappingSpec } from '../../contracts/block-devices';

/** Undefined for none, so that EC2 keeps the image's own mappings. */
export function ec2BlockDeviceMappings(specs: BlockDeviceMappingSpec[]): BlockDeviceMapping[] | undefined {
  if (!specs.length) return undefined;
  return specs.map((m) => ({
    DeviceName: m.deviceName,
    Ebs: {
      VolumeSize: m.volumeSize,
      VolumeType: m.volumeType as VolumeType | undefined,
      DeleteOnTermination: m.deleteOnTermination,
      VolumeInitializationRate: m.volumeInitializationRate,
    },
  }));
}
