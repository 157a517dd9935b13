/** The shapes of the AWS identifiers that pipeline inputs carry, checked before any call is made. */
import { z } from 'zod';
import { APPSTREAM_NAME, APPSTREAM_NAME_RULE } from './appstream-names';

const hexId = (prefix: string, what: string) =>
  z.string().regex(new RegExp(`^${prefix}-(?:[0-9a-f]{8}|[0-9a-f]{17})$`), `must be ${what} such as ${prefix}-0123456789abcdef0`);

export const instanceId = hexId('i', 'an EC2 instance ID');
export const launchTemplateId = hexId('lt', 'a launch template ID');
export const imageId = hexId('ami', 'an AMI ID');
export const subnetId = hexId('subnet', 'a subnet ID');
export const securityGroupId = hexId('sg', 'a security group ID');

/** An instance type as EC2 names them: family, generation and options, a dot, the size (m6i.large, t4g.micro). */
export const instanceType = z.string().regex(/^[a-z][a-z0-9-]*\.[a-z0-9]+$/, 'must be an instance type such as m6i.large');

/** An instance profile by name (as RunInstances takes IamInstanceProfile.Name) or by ARN. */
export const instanceProfile = z
  .string()
  .regex(
    /^(?:[\w+=,.@-]{1,128}|arn:aws(?:-cn|-us-gov)?:iam::\d{12}:instance-profile\/(?:[\x21-\x7e]*\/)?[\w+=,.@-]{1,128})$/,
    'must be an instance profile name or ARN',
  );

/** An SSM document name: AWS's own (AWS-RunShellScript) or yours, or a shared document's ARN. */
export const ssmDocumentName = z
  .string()
  .regex(
    /^(?:[a-zA-Z0-9_\-.]{3,128}|arn:aws(?:-cn|-us-gov)?:ssm:[a-z0-9-]+:\d{12}:document\/[a-zA-Z0-9_\-.]{3,128})$/,
    'must be an SSM document name such as AWS-RunShellScript',
  );

/** EC2's rules for AMI names: 3 to 128 characters from a small set. */
export const AMI_NAME_CHARS = /^[A-Za-z0-9()[\] ./\-'@_]+$/;

/** A commercial, GovCloud or China Region code; whether it exists and is enabled is asked of EC2 (DescribeRegions). */
export const region = z.string().regex(/^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$/, 'must be a Region code such as us-west-2');

export const accountId = z.string().regex(/^\d{12}$/, 'must be a 12-digit AWS account ID');

const PARTITION = 'arn:aws(?:-cn|-us-gov)?';

/** The IAM role a worker assumes to act in another account. */
export const roleArn = z
  .string()
  .regex(
    new RegExp(`^${PARTITION}:iam::\\d{12}:role/(?:[\\x21-\\x7e]*/)?[\\w+=,.@-]{1,64}$`),
    'must be an IAM role ARN such as arn:aws:iam::444455556666:role/golden-image-distribution',
  );

export const organizationArn = z
  .string()
  .regex(
    new RegExp(`^${PARTITION}:organizations::\\d{12}:organization/o-[a-z0-9]{10,32}$`),
    'must be an organization ARN such as arn:aws:organizations::123456789012:organization/o-a1b2c3d4e5',
  );

export const organizationalUnitArn = z
  .string()
  .regex(
    new RegExp(`^${PARTITION}:organizations::\\d{12}:ou/o-[a-z0-9]{10,32}/ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$`),
    'must be an organizational unit ARN such as arn:aws:organizations::123456789012:ou/o-a1b2c3d4e5/ou-ab12-cdef3456',
  );

/** The AWS managed key for EBS: an image encrypted with it cannot be shared with other accounts. */
export const DEFAULT_EBS_KEY_ALIAS = 'alias/aws/ebs';

/** A KMS key as EC2 takes it: key ID, key ARN, alias name or alias ARN. */
export const kmsKeyId = z
  .string()
  .regex(
    new RegExp(
      `^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|alias/[\\w/-]{1,250}|${PARTITION}:kms:[a-z0-9-]+:\\d{12}:(?:key/[0-9a-f-]{36}|alias/[\\w/-]{1,250}))$`,
    ),
    'must be a KMS key ID, key ARN, alias name (alias/golden) or alias ARN',
  );

/** EC2's rule for launch-template names. */
export const launchTemplateName = z.string().regex(/^[a-zA-Z0-9().\-/_]{3,128}$/, 'must be 3-128 letters, digits or ( ) . - / _');

/** A parameter to read: any name SSM allows, AWS's public ones (/aws/service/...) included. */
export const ssmParameterPath = z
  .string()
  .max(2048, 'must be at most 2048 characters')
  .regex(/^\/?[a-zA-Z0-9_.\-/]+$/, 'may only hold letters, digits, ".", "-", "_" and "/"');

/**
 * SSM's rules for a parameter name: up to 1011 characters of letters, digits and . - _ /, at most 15
 * levels deep, fully qualified names starting with "/", and no name beginning with "aws" or "ssm".
 */
export const ssmParameterName = z
  .string()
  .max(1011, 'must be at most 1011 characters')
  .regex(/^\/?[a-zA-Z0-9_.\-/]+$/, 'may only hold letters, digits, ".", "-", "_" and "/"')
  .refine((name) => !/^\/?(aws|ssm)/i.test(name), 'must not begin with "aws" or "ssm" (reserved by AWS)')
  .refine((name) => !name.includes('//') && !name.endsWith('/'), 'must not hold an empty level ("//" or a trailing "/")')
  .refine((name) => name.split('/').length - 1 <= 15, 'may be at most 15 levels deep')
  .refine((name) => !name.includes('/') || name.startsWith('/'), 'must start with "/" when it has levels');

export const appStreamName = z.string().regex(APPSTREAM_NAME, APPSTREAM_NAME_RULE);

/**
 * The instance families AppStream offers for image builders: standard, compute, memory (also z1d)
 * and the graphics families (graphics, graphics-design, graphics-pro, graphics.g4dn, graphics.g5).
 */
const APPSTREAM_INSTANCE_TYPE =
  /^stream\.(standard|compute|memory|graphics(?:-design|-pro)?)(?:\.[a-z0-9]+)?\.(?:small|medium|large|\d*xlarge)$/;

export const appStreamInstanceType = z
  .string()
  .regex(
    APPSTREAM_INSTANCE_TYPE,
    'must be an AppStream instance type such as stream.standard.medium (families: standard, compute, memory, graphics*)',
  );
