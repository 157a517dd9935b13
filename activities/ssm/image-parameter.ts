/**
 * Publish: an SSM parameter (DataType aws:ec2:image) that holds the run's image ID in its Region.
 * PutParameter has no client token and every write makes a new version, so the parameter is read first:
 * when it already holds this image (a retry, a replay, a lost answer), nothing is written.
 */
import { GetParameterCommand, PutParameterCommand, type Parameter, type SSMClient } from '@aws-sdk/client-ssm';
import { awsCall } from '../aws/call';
import { isAwsErrorCode } from '../aws/errors';

export interface ImageParameterRequest {
  name: string;
  imageId: string;
}

export interface PublishedImageParameter {
  name: string;
  /** The parameter's version that holds the image. */
  version: number;
  /** False when the parameter held the image already. */
  written: boolean;
}

async function currentParameter(ssm: SSMClient, name: string): Promise<Parameter | undefined> {
  try {
    return (await awsCall(`GetParameter (${name})`, () => ssm.send(new GetParameterCommand({ Name: name })))).Parameter;
  } catch (err) {
    if (isAwsErrorCode(err, 'ParameterNotFound')) return undefined;
    throw err;
  }
}

export async function publishImageParameter(ssm: SSMClient, request: ImageParameterRequest): Promise<PublishedImageParameter> {
  const { name, imageId } = request;
  const current = await currentParameter(ssm, name);
  if (current?.Value === imageId) return { name, version: current.Version ?? 0, written: false };
  // SSM validates an aws:ec2:image value after it answers; a value it refuses then leaves the parameter as it was.
  const out = await awsCall(`PutParameter (${name})`, () =>
    ssm.send(new PutParameterCommand({ Name: name, Value: imageId, Type: 'String', DataType: 'aws:ec2:image', Overwrite: true })),
  );
  return { name, version: out.Version ?? 0, written: true };
}
