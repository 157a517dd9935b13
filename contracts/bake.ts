/**
 * Baking an image from a base image (issue 15): where the base comes from, how the build instance is
 * launched and provisioned with SSM Run Command documents, how the new image is tested, and whether a
 * scheduled run may skip a refresh that would change nothing. The `ami` kind takes these beside its
 * other fields; `instanceId`/`instanceTags` stay the other way to start, from a prepared instance.
 */
import { z } from 'zod';
import { imageId, instanceProfile, instanceType, securityGroupId, ssmDocumentName, ssmParameterPath, subnetId } from './aws-ids';
import { blockDeviceMapping } from './block-devices';
import { durationSchema } from './duration-fields';

/** Access key IDs (long-term and temporary): a step parameter holding one would put a secret in history. */
const ACCESS_KEY_ID = /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/;
/** A 40-character secret access key next to the words that name it. */
const SECRET_KEY = /aws_?secret_?access_?key\W{0,5}[A-Za-z0-9/+]{40}/i;

const owner = z.string().regex(/^(?:\d{12}|amazon|aws-marketplace|self)$/, 'must be an account ID, amazon, aws-marketplace or self');

/** Where the build starts: exactly one of an SSM parameter, the newest image matching a name, or an AMI ID. */
export const source = z
  .strictObject({
    /** A parameter holding an AMI ID, such as AWS's /aws/service/ami-windows-latest/... */
    ssmParameter: ssmParameterPath.optional(),
    /** The newest image (by CreationDate) with this name (EC2's wildcards * and ? allowed) from these owners. */
    image: z
      .strictObject({
        owners: z.array(owner).min(1, 'give at least one owner'),
        name: z.string().min(1).max(128),
        architecture: z.enum(['x86_64', 'arm64']).optional(),
      })
      .optional(),
    imageId: imageId.optional(),
  })
  .refine(
    (s) => [s.ssmParameter, s.image, s.imageId].filter((x) => x !== undefined).length === 1,
    'give exactly one of ssmParameter, image or imageId',
  );

export type SourceSpec = z.output<typeof source>;

/** One SSM Run Command document, with its parameters, run on the instance. */
const step = z
  .strictObject({
    document: ssmDocumentName,
    /** As SendCommand takes them: each parameter a list of strings. Never secrets: they are kept in history. */
    parameters: z.record(z.string(), z.array(z.string())).default({}),
    /** How long the step may run (SendCommand's TimeoutSeconds). */
    timeout: durationSchema('30s', '48h').default('1h'),
  })
  .superRefine((s, ctx) => {
    const values = Object.values(s.parameters).flat();
    if (values.some((v) => ACCESS_KEY_ID.test(v) || SECRET_KEY.test(v))) {
      ctx.addIssue({
        code: 'custom',
        path: ['parameters'],
        message:
          'holds what looks like an AWS access key: parameters are kept in the run history; reference secrets with {{ssm:...}} or {{resolve:secretsmanager:...}} instead',
      });
    }
  });

export type StepSpec = z.output<typeof step>;

const instanceSettings = {
  instanceType,
  subnetId: subnetId.optional(),
  securityGroupIds: z.array(securityGroupId).max(5).optional(),
  /** Must let the SSM agent register (AmazonSSMManagedInstanceCore). */
  instanceProfile: instanceProfile.optional(),
};

export const build = z.strictObject({
  ...instanceSettings,
  /** The build instance's volumes (its root volume's size, say); the image keeps them. */
  blockDeviceMappings: z.array(blockDeviceMapping).max(32).default([]),
  steps: z.array(step).min(1, 'give at least one step').max(50),
  /** How long provisioning may take in all, from launch to the last step. */
  timeout: durationSchema('1m', '24h').default('2h'),
});

export type BuildSpec = z.output<typeof build>;

/** An instance from the new image, before anything is distributed or shared; unset settings come from `build`. */
export const imageTest = z.strictObject({
  instanceType: instanceType.optional(),
  subnetId: subnetId.optional(),
  securityGroupIds: z.array(securityGroupId).max(5).optional(),
  instanceProfile: instanceProfile.optional(),
  steps: z.array(step).min(1, 'give at least one step').max(50),
  timeout: durationSchema('1m', '24h').default('1h'),
});

export type ImageTestSpec = z.output<typeof imageTest>;

export const refresh = z.strictObject({
  /** Finish as `unchanged`, creating nothing, when the newest released image has the same source image and recipe. */
  skipIfUnchanged: z.boolean().default(false),
});
