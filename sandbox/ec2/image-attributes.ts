import { refuseSharingIfDisabled } from './image-disabling';
import { deregistrationProtectionText } from './image-protection';
import { notAuthorizedForImage, requireOwnImage } from './lookup';
import type { Ec2Params } from './params';
import { dryRunGate } from './render';
import { ApiError, invalidParameterValue, missingParameter } from '../core/errors';
import type { XmlObject } from '../core/query-protocol';
import type { Ec2Context, ImageRecord, LaunchPermission } from './state';

/**
 * ModifyImageAttribute and DescribeImageAttribute, as the EC2 API reference and botocore's model have
 * them: the launch permissions that share an AMI with other accounts (or make it public), and the
 * description and IMDS support an owner may change. Only the owner may read or change them.
 */

const ATTRIBUTE_NAMES = [
  'description',
  'kernel',
  'ramdisk',
  'launchPermission',
  'productCodes',
  'blockDeviceMapping',
  'sriovNetSupport',
  'bootMode',
  'tpmSupport',
  'uefiData',
  'lastLaunchedTime',
  'imdsSupport',
  'deregistrationProtection',
] as const;

type AttributeName = (typeof ATTRIBUTE_NAMES)[number];

function badItem(value: string, itemType: string): ApiError {
  return new ApiError('InvalidAMIAttributeItemValue', `Invalid attribute item value "${value}" for ${itemType} item type.`);
}

function checked(permission: LaunchPermission): LaunchPermission {
  if (permission.userId !== undefined && !/^\d{12}$/.test(permission.userId)) throw badItem(permission.userId, 'userId');
  if (permission.group !== undefined && permission.group !== 'all') throw badItem(permission.group, 'group');
  return permission;
}

/** `LaunchPermission.Add.N.UserId` and friends: one permission per item, exactly one member set. */
function readPermissionList(list: Ec2Params[]): LaunchPermission[] {
  return list.map((item) => {
    const permission: LaunchPermission = {
      userId: item.string('UserId'),
      group: item.string('Group') as LaunchPermission['group'],
      organizationArn: item.string('OrganizationArn'),
      organizationalUnitArn: item.string('OrganizationalUnitArn'),
    };
    const given = Object.entries(permission).filter(([, value]) => value !== undefined);
    if (given.length !== 1)
      throw invalidParameterValue(
        'Each launch permission must have exactly one of UserId, Group, OrganizationArn or OrganizationalUnitArn.',
      );
    return checked(Object.fromEntries(given) as LaunchPermission);
  });
}

/** The older form: `Attribute=launchPermission&OperationType=add&UserId.1=…&UserGroup.1=all`. */
function readFlatPermissions(params: Ec2Params): LaunchPermission[] {
  return [
    ...params.stringList('UserId').map((userId) => ({ userId })),
    ...params.stringList('UserGroup').map((group) => ({ group: group as LaunchPermission['group'] })),
    ...params.stringList('OrganizationArn').map((organizationArn) => ({ organizationArn })),
    ...params.stringList('OrganizationalUnitArn').map((organizationalUnitArn) => ({ organizationalUnitArn })),
  ].map(checked);
}

interface PermissionChange {
  add: LaunchPermission[];
  remove: LaunchPermission[];
}

function readPermissionChange(params: Ec2Params, attribute: string | undefined): PermissionChange | undefined {
  const structured = params.struct('LaunchPermission');
  if (structured)
    return { add: readPermissionList(structured.structList('Add')), remove: readPermissionList(structured.structList('Remove')) };
  if (attribute !== 'launchPermission') return undefined;
  const operation = params.string('OperationType');
  if (operation === undefined) throw missingParameter('OperationType');
  if (operation !== 'add' && operation !== 'remove') {
    throw invalidParameterValue(`Value (${operation}) for parameter OperationType is invalid. Valid values: add, remove`);
  }
  const permissions = readFlatPermissions(params);
  return operation === 'add' ? { add: permissions, remove: [] } : { add: [], remove: permissions };
}

const samePermission = (a: LaunchPermission, b: LaunchPermission) =>
  a.userId === b.userId &&
  a.group === b.group &&
  a.organizationArn === b.organizationArn &&
  a.organizationalUnitArn === b.organizationalUnitArn;

function applyPermissionChange(image: ImageRecord, change: PermissionChange): void {
  const kept = image.launchPermissions.filter((p) => !change.remove.some((r) => samePermission(p, r)));
  for (const added of change.add) if (!kept.some((p) => samePermission(p, added))) kept.push(added);
  image.launchPermissions = kept;
}

/** `Description.Value=…`, or `Attribute=description&Value=…` (likewise imdsSupport). */
function readValue(params: Ec2Params, attribute: string | undefined, member: string, name: AttributeName): string | undefined {
  const structured = params.struct(member)?.string('Value');
  if (structured !== undefined) return structured;
  return attribute === name ? params.requiredString('Value') : undefined;
}

function modifyImageAttribute(params: Ec2Params, ctx: Ec2Context): XmlObject {
  const attribute = params.string('Attribute');
  if (attribute !== undefined && !['description', 'imdsSupport', 'launchPermission'].includes(attribute)) {
    throw invalidParameterValue(
      `Value (${attribute}) for parameter attribute is invalid. Valid values: description, imdsSupport, launchPermission`,
    );
  }
  const change = readPermissionChange(params, attribute);
  const description = readValue(params, attribute, 'Description', 'description');
  const imdsSupport = readValue(params, attribute, 'ImdsSupport', 'imdsSupport');
  if (imdsSupport !== undefined && imdsSupport !== 'v2.0') {
    throw invalidParameterValue(`Value (${imdsSupport}) for parameter ImdsSupport is invalid. Valid values: v2.0`);
  }
  if (!change && description === undefined && imdsSupport === undefined) throw missingParameter('Attribute');
  const image = requireOwnImage(ctx.state, params.requiredString('ImageId'));
  if (change && change.add.length > 0) refuseSharingIfDisabled(image);
  dryRunGate(params);
  if (change) applyPermissionChange(image, change);
  if (description !== undefined) image.description = description;
  // AWS documents that IMDSv2 support, once set on an AMI, cannot be unset.
  if (imdsSupport !== undefined) image.imdsSupport = 'v2.0';
  return { return: true };
}

const valueXml = (value: string | undefined): XmlObject | undefined => (value === undefined ? undefined : { value });

function attributeXml(image: ImageRecord, attribute: AttributeName, now: number): XmlObject {
  switch (attribute) {
    case 'launchPermission':
      return { launchPermission: image.launchPermissions.map((p) => ({ ...p })) };
    case 'description':
      return { description: valueXml(image.description) ?? {} };
    case 'productCodes':
      return { productCodes: [] };
    case 'sriovNetSupport':
      return { sriovNetSupport: valueXml('simple') };
    case 'bootMode':
      return { bootMode: valueXml(image.bootMode) ?? {} };
    case 'tpmSupport':
      return { tpmSupport: valueXml(image.tpmSupport) ?? {} };
    case 'imdsSupport':
      return { imdsSupport: valueXml(image.imdsSupport) ?? {} };
    case 'deregistrationProtection':
      return { deregistrationProtection: valueXml(deregistrationProtectionText(image, now)) };
    default:
      // kernel, ramdisk, uefiData, lastLaunchedTime: the sandbox's images have none.
      return { [attribute]: {} };
  }
}

function describeImageAttribute(params: Ec2Params, ctx: Ec2Context): XmlObject {
  const attribute = params.requiredString('Attribute');
  if (!(ATTRIBUTE_NAMES as readonly string[]).includes(attribute)) {
    throw invalidParameterValue(`Value (${attribute}) for parameter attribute is invalid. Unknown attribute.`);
  }
  const image = requireOwnImage(ctx.state, params.requiredString('ImageId'));
  dryRunGate(params);
  // botocore's model: "The blockDeviceMapping attribute is deprecated. Using this attribute returns the Client.AuthFailure error."
  if (attribute === 'blockDeviceMapping') throw notAuthorizedForImage(image);
  return { imageId: image.id, ...attributeXml(image, attribute as AttributeName, ctx.state.clock.now()) };
}

export const imageAttributeActions = {
  ModifyImageAttribute: modifyImageAttribute,
  DescribeImageAttribute: describeImageAttribute,
};
