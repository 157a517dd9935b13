import { ApiError, invalidParameterValue } from '../core/errors';
import type { Ec2Params } from './params';
import type { XmlObject } from '../core/query-protocol';
import type { EbsMapping } from './state';

/** A BlockDeviceMapping.N from CreateImage or RunInstances: changes to the source's devices. */
export interface MappingRequest {
  deviceName: string;
  noDevice: boolean;
  volumeSize?: number;
  volumeType?: string;
  deleteOnTermination?: boolean;
  volumeInitializationRate?: number;
}

const VOLUME_TYPES = ['standard', 'io1', 'io2', 'gp2', 'sc1', 'st1', 'gp3'];
/** MiB/s range AWS accepts for VolumeInitializationRate. */
const INITIALIZATION_RATE = { min: 100, max: 300 };

export function readMappingRequests(params: Ec2Params): MappingRequest[] {
  return params.structList('BlockDeviceMapping').map((m) => {
    const ebs = m.struct('Ebs');
    const request: MappingRequest = {
      deviceName: m.requiredString('DeviceName'),
      noDevice: m.has('NoDevice'),
      volumeSize: ebs?.int('VolumeSize'),
      volumeType: ebs?.string('VolumeType'),
      deleteOnTermination: ebs?.bool('DeleteOnTermination'),
      volumeInitializationRate: ebs?.int('VolumeInitializationRate'),
    };
    validate(request);
    return request;
  });
}

function validate(m: MappingRequest): void {
  if (m.volumeType !== undefined && !VOLUME_TYPES.includes(m.volumeType)) {
    throw invalidParameterValue(`Value (${m.volumeType}) for parameter volumeType is invalid. Valid values: ${VOLUME_TYPES.join(', ')}`);
  }
  if (m.volumeSize !== undefined && (m.volumeSize < 1 || m.volumeSize > 65536)) {
    throw invalidParameterValue(`Value (${m.volumeSize}) for parameter volumeSize is invalid.`);
  }
  validateInitializationRate(m.volumeInitializationRate);
}

/** Also checked by CreateReplaceRootVolumeTask, which takes the rate outside any mapping. */
export function validateInitializationRate(rate: number | undefined): void {
  if (rate !== undefined && (rate < INITIALIZATION_RATE.min || rate > INITIALIZATION_RATE.max)) {
    throw invalidParameterValue(
      `Value (${rate}) for parameter volumeInitializationRate is invalid. The value must be between ${INITIALIZATION_RATE.min} and ${INITIALIZATION_RATE.max} MiB/s.`,
    );
  }
}

/** A device's settings after applying a request to it; sizes may grow, never shrink below the source. */
export function applyMappingRequest<T extends Omit<EbsMapping, 'snapshotId'>>(device: T, request: MappingRequest | undefined): T {
  if (!request) return device;
  if (request.volumeSize !== undefined && request.volumeSize < device.volumeSize) {
    throw new ApiError(
      'InvalidBlockDeviceMapping',
      `Volume of size ${request.volumeSize}GB is smaller than snapshot or source volume of size ${device.volumeSize}GB for device ${device.deviceName}.`,
    );
  }
  return {
    ...device,
    volumeSize: request.volumeSize ?? device.volumeSize,
    volumeType: request.volumeType ?? device.volumeType,
    deleteOnTermination: request.deleteOnTermination ?? device.deleteOnTermination,
    volumeInitializationRate: request.volumeInitializationRate ?? device.volumeInitializationRate,
  };
}

/** Performance figures EC2 reports for a volume type's defaults. */
export function volumePerformance(volumeType: string): { iops?: number; throughput?: number } {
  if (volumeType === 'gp3') return { iops: 3000, throughput: 125 };
  return {};
}

export function ebsMappingXml(m: EbsMapping): XmlObject {
  return {
    deviceName: m.deviceName,
    ebs: {
      deleteOnTermination: m.deleteOnTermination,
      ...volumePerformance(m.volumeType),
      snapshotId: m.snapshotId,
      volumeSize: m.volumeSize,
      volumeType: m.volumeType,
      encrypted: m.encrypted ?? false,
      // No xmlName in the EC2 model for this member, so both SDKs read it capitalised.
      VolumeInitializationRate: m.volumeInitializationRate,
    },
  };
}
