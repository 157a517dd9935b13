/**
 * CopyImage to another Region of the account. AppStream's CopyImage is sent in the source Region and
 * takes no tags and no client token, so the copy carries a marker of the run in its description: a
 * copy of that name with this run's marker (or, once tagged, its run tag) is this run's own, adopted
 * on a retry after a lost answer; any other image of that name is someone else's, and the copy fails.
 */
import { CopyImageCommand, type AppStreamClient, type Image } from '@aws-sdk/client-appstream';
import { ApplicationFailure } from '@temporalio/common';
import { awsCall } from '../aws/call';
import { isAwsErrorCode } from '../aws/errors';
import { terminalState } from '../aws/not-ready';
import { describeAppStreamImage } from './image-lookup';
import { appStreamTag } from './tags';

export interface AppStreamCopyRequest {
  sourceName: string;
  destinationName: string;
  destinationRegion: string;
  description?: string;
  /** The run's tag key and value: a copy already tagged with them is this run's. */
  ownership: { tag: string; value: string };
}

/** The run's mark on its copy: the description is the only field CopyImage lets it set. */
const runMarker = (request: Pick<AppStreamCopyRequest, 'ownership'>) => `[golden-image run ${request.ownership.value}]`;

/** The copy's description with the run's marker at its end; AppStream descriptions hold 256 characters. */
function copyDescription(request: Pick<AppStreamCopyRequest, 'description' | 'ownership'>): string {
  const marker = runMarker(request);
  return request.description ? `${request.description.slice(0, 256 - marker.length - 1)} ${marker}` : marker;
}

async function isOwnCopy(destination: AppStreamClient, image: Image, request: AppStreamCopyRequest): Promise<boolean> {
  if (image.Description?.endsWith(runMarker(request))) return true;
  return (await appStreamTag(destination, image.Arn, request.ownership.tag)) === request.ownership.value;
}

/** `source` is the build Region's client, `destination` the copy Region's (for the look-ups). */
export async function copyAppStreamImage(
  source: AppStreamClient,
  destination: AppStreamClient,
  request: AppStreamCopyRequest,
): Promise<{ name: string; adopted: boolean }> {
  const { destinationName: name, destinationRegion: region } = request;
  const taken = () =>
    terminalState(
      'ImageNameTaken',
      `an image named ${name} already exists in ${region} and is not this run's copy; name the copy in copyTo[].name`,
    );
  const existing = await describeAppStreamImage(destination, name);
  if (existing) {
    if (await isOwnCopy(destination, existing, request)) return { name, adopted: true };
    throw taken();
  }
  try {
    await awsCall('CopyImage', () =>
      source.send(
        new CopyImageCommand({
          SourceImageName: request.sourceName,
          DestinationImageName: name,
          DestinationRegion: region,
          DestinationImageDescription: copyDescription(request),
        }),
      ),
    );
    return { name, adopted: false };
  } catch (err) {
    if (!(err instanceof ApplicationFailure) || !isAwsErrorCode(err, 'ResourceAlreadyExistsException')) throw err;
    // A resend of our own call whose answer was lost, or someone else's image made in between.
    const found = await describeAppStreamImage(destination, name);
    if (found && (await isOwnCopy(destination, found, request))) return { name, adopted: true };
    throw taken();
  }
}
