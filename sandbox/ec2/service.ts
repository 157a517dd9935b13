import type { IncomingHttpHeaders } from 'node:http';
import { fastLaunchActions } from './fast-launch';
import { imageAttributeActions } from './image-attributes';
import { imageCopyActions } from './image-copy';
import { imageDisablingActions } from './image-disabling';
import { imageProtectionActions } from './image-protection';
import { imageActions } from './images';
import { instanceStateChangeActions } from './instance-state-changes';
import { instanceActions } from './instances';
import { launchTemplateVersionActions } from './launch-template-versions';
import { launchTemplateActions } from './launch-templates';
import { Ec2Params } from './params';
import { regionActions } from './regions';
import { replaceRootVolumeActions } from './replace-root-volume';
import { settleReplaceRootVolumeTasks } from './root-volume-swap';
import { storageActions } from './storage';
import { tagActions } from './tags';
import { checkVersion, invalidAction } from './api-versions';
import { checkKnownParameters } from './known-parameters';
import { ApiError } from '../core/errors';
import { decodeForm, encodeXmlError, encodeXmlResponse, type FormNode, type XmlObject } from '../core/query-protocol';
import type { DecodedCall, HttpReply, ServiceModule } from '../core/service';
import type { Ec2Context, Ec2State } from './state';
import { ec2BucketFor } from './throttle';

/** EC2 over the Query protocol: `Action=…` form posts answered in XML. */

export type Ec2Action = (params: Ec2Params, ctx: Ec2Context) => XmlObject;

const EC2_ACTIONS: Record<string, Ec2Action> = {
  ...instanceActions,
  ...instanceStateChangeActions,
  ...imageActions,
  ...imageAttributeActions,
  ...imageCopyActions,
  ...imageProtectionActions,
  ...imageDisablingActions,
  ...storageActions,
  ...tagActions,
  ...launchTemplateActions,
  ...launchTemplateVersionActions,
  ...fastLaunchActions,
  ...replaceRootVolumeActions,
  ...regionActions,
};

const XML = 'text/xml;charset=UTF-8';

function decodeParams(body: string, query: string): FormNode {
  // EC2 also accepts the parameters in a GET query string.
  const form = decodeForm(body);
  if (query === '') return form;
  return { ...decodeForm(query), ...form };
}

/** AWS checks the action, the version and every parameter's name before it reads any value. */
function executeEc2(action: string, form: FormNode, ctx: Ec2Context): HttpReply {
  const handler = Object.hasOwn(EC2_ACTIONS, action) ? EC2_ACTIONS[action] : undefined;
  if (!handler) throw invalidAction(action);
  checkVersion(action, typeof form.Version === 'string' ? form.Version : undefined);
  checkKnownParameters(action, form);
  settleReplaceRootVolumeTasks(ctx.state);
  return { status: 200, contentType: XML, body: encodeXmlResponse(action, ctx.requestId, handler(new Ec2Params(form), ctx)) };
}

export const ec2Service: ServiceModule<Ec2State> = {
  name: 'ec2',

  // The fallback service: anything that is not another service's JSON protocol.
  matches: () => true,

  decode(body: string, query: string, _headers: IncomingHttpHeaders): DecodedCall<Ec2State> {
    const root = decodeParams(body, query);
    const action = root.Action;
    if (typeof action !== 'string' || action === '') {
      throw new ApiError('MissingAction', 'The request must contain the parameter Action');
    }
    // Filters or MaxResults move some describes to the larger bucket, as AWS documents.
    const filteredOrPaginated = root.Filter !== undefined || root.MaxResults !== undefined;
    return {
      action,
      bucket: ec2BucketFor(action, filteredOrPaginated),
      execute: (ctx) => executeEc2(action, root, ctx),
    };
  },

  encodeError(error: ApiError, requestId: string): HttpReply {
    return { status: error.status, contentType: XML, body: encodeXmlError(error.code, error.message, requestId) };
  },
};

export const EC2_ACTION_NAMES = Object.keys(EC2_ACTIONS);
