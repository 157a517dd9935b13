/**
 * CreateUpdatedImage: first the dry run that asks whether AWS has updates for the image, then the real
 * call, made safe to retry: the workflow derives the new name deterministically, and an image of that
 * name is adopted only when it carries this run's tag (see ../aws/create-or-adopt.ts). The name is looked
 * up before the create too: a name someone else holds is refused with no image started.
 */
import { CreateUpdatedImageCommand, type AppStreamClient } from '@aws-sdk/client-appstream';
import { describeAppStreamImage } from './image-lookup';
import { appStreamTag } from './tags';
import { awsCall } from '../aws/call';
import { createOrAdopt } from '../aws/create-or-adopt';
import { terminalState } from '../aws/not-ready';

interface UpdateCheck {
  canUpdateImage: boolean;
  existingImageArn?: string;
}

export async function checkUpdateAvailable(
  appstream: AppStreamClient,
  existingImageName: string,
  newImageName: string,
): Promise<UpdateCheck> {
  // The dry run checks the existing image only; it neither reserves nor checks the new name.
  const out = await awsCall('CreateUpdatedImage (dry run)', () =>
    appstream.send(new CreateUpdatedImageCommand({ existingImageName, newImageName, dryRun: true })),
  );
  return { canUpdateImage: out.canUpdateImage === true, existingImageArn: out.image?.Arn };
}

export interface UpdatedImageRequest {
  existingImageName: string;
  newImageName: string;
  description?: string;
  displayName?: string;
  tags: Record<string, string>;
  /** The tag whose value proves an existing image of this name belongs to this run. */
  ownershipTag: string;
}

interface UpdatedImage {
  name: string;
  arn: string;
  adopted: boolean;
}

export async function createUpdatedImage(appstream: AppStreamClient, request: UpdatedImageRequest): Promise<UpdatedImage> {
  const { value, adopted } = await createOrAdopt({
    kind: 'image',
    name: request.newImageName,
    takenCode: 'ResourceAlreadyExistsException',
    owner: request.tags[request.ownershipTag],
    lookUpFirst: true,
    find: async () => {
      const image = await describeAppStreamImage(appstream, request.newImageName);
      // Only a private image's tags are this account's to read: a public or shared one is never this run's.
      return (
        image && {
          value: image.Arn ?? '',
          owner: await appStreamTag(appstream, image.Visibility === 'PRIVATE' ? image.Arn : undefined, request.ownershipTag),
        }
      );
    },
    create: async () => {
      const out = await awsCall('CreateUpdatedImage', () =>
        appstream.send(
          new CreateUpdatedImageCommand({
            existingImageName: request.existingImageName,
            newImageName: request.newImageName,
            newImageDescription: request.description,
            newImageDisplayName: request.displayName,
            newImageTags: request.tags,
          }),
        ),
      );
      if (!out.image?.Arn) throw terminalState('CreateUpdatedImageNoImage', 'CreateUpdatedImage returned no image');
      return out.image.Arn;
    },
    refuse: () =>
      terminalState(
        'ImageNameTaken',
        `an image named ${request.newImageName} already exists and was not created by this run; choose another name`,
      ),
  });
  return { name: request.newImageName, arn: value, adopted };
}
