/**
 * CreateUpdatedImage: first the dry run that asks whether AWS has updates for the image, then the real
 * call, made safe to retry: the workflow derives the new name deterministically, and an image of that
 * name is adopted only when it carries this run's tag (see appstream-create-or-adopt).
 */
import { CreateUpdatedImageCommand, type AppStreamClient } from '@aws-sdk/client-appstream';
import { createOrAdopt } from './create-or-adopt';
import { describeAppStreamImage } from './image-lookup';
import { awsCall } from '../aws/call';
import { terminalState } from '../aws/not-ready';

export interface UpdateCheck {
  canUpdateImage: boolean;
  existingImageArn?: string;
}

export async function checkUpdateAvailable(appstream: AppStreamClient, existingImageName: string, newImageName: string): Promise<UpdateCheck> {
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

export interface UpdatedImage {
  name: string;
  arn: string;
  adopted: boolean;
}

export async function createUpdatedImage(appstream: AppStreamClient, request: UpdatedImageRequest): Promise<UpdatedImage> {
  const { value, adopted } = await createOrAdopt(appstream, {
    kind: 'image',
    name: request.newImageName,
    takenType: 'ImageNameTaken',
    ownership: { key: request.ownershipTag, value: request.tags[request.ownershipTag] },
    find: async () => {
      const image = await describeAppStreamImage(appstream, request.newImageName);
      return image && { value: image.Arn ?? '', arn: image.Visibility === 'PRIVATE' ? image.Arn : undefined };
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
  });
  return { name: request.newImageName, arn: value, adopted };
}
