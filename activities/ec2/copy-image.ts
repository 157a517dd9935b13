/**
 * CopyImage, called in the destination Region (the client's). Its ClientToken is derived from the work
 * (the workflow, the source image and the destination), never from the run or the attempt: the SDK's
 * resend of a call whose answer was lost, the activity's next attempt and a replay after a worker crash
 * all send the same token, and EC2 answers each with the one copy it made first. EC2 keeps a token only
 * for a while, so a copy asked for again much later (after a workflow reset, say) meets its own name
 * instead: the copy of that name is then adopted if it carries this run's tag, as CreateImage's is.
 */
import { createHash } from 'node:crypto';
import { CopyImageCommand, type EC2Client } from '@aws-sdk/client-ec2';
import { awsCall } from '../aws/call';
import { terminalState } from '../aws/not-ready';
import { createOrAdoptImage } from './create-image';

export interface CopyImageRequest {
  sourceImageId: string;
  sourceRegion: string;
  name: string;
  description?: string;
  /** Encrypt the copy's snapshots with this key (in the destination Region). */
  kmsKeyId?: string;
  /** Names the copy among all the work: `<workflowId>/<sourceImageId>/<account>/<region>`, say. */
  workKey: string;
  /** Put on the copy and on its snapshots. */
  tags: Record<string, string>;
  /** The tag whose value proves an existing image of this name is this run's copy. */
  ownershipTag: string;
}

/** CopyImage's ClientToken is at most 64 ASCII characters: a SHA-256 in hex is exactly that, whatever the key's length. */
function copyClientToken(workKey: string): string {
  return createHash('sha256').update(workKey).digest('hex');
}

/** Returns the copy's image ID, in the client's Region and account. */
export async function copyImage(ec2: EC2Client, request: CopyImageRequest): Promise<string> {
  const { value } = await createOrAdoptImage(ec2, request, 'exists where the copy was to go', () => sendCopyImage(ec2, request));
  return value;
}

async function sendCopyImage(ec2: EC2Client, request: CopyImageRequest): Promise<string> {
  const tags = Object.entries(request.tags).map(([Key, Value]) => ({ Key, Value }));
  const out = await awsCall(`CopyImage (${request.sourceImageId} from ${request.sourceRegion})`, () =>
    ec2.send(
      new CopyImageCommand({
        SourceImageId: request.sourceImageId,
        SourceRegion: request.sourceRegion,
        Name: request.name,
        Description: request.description,
        // KmsKeyId counts only with Encrypted; without a key the copy is encrypted as its source is.
        Encrypted: request.kmsKeyId ? true : undefined,
        KmsKeyId: request.kmsKeyId,
        ClientToken: copyClientToken(request.workKey),
        TagSpecifications: tags.length
          ? [
              { ResourceType: 'image', Tags: tags },
              { ResourceType: 'snapshot', Tags: tags },
            ]
          : undefined,
      }),
    ),
  );
  if (!out.ImageId) throw terminalState('CopyImageNoId', 'CopyImage returned no ImageId');
  return out.ImageId;
}
