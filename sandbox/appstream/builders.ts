import { builderArn } from './arn';
import { failBuilder } from './failures';
import { APPSTREAM_NAME_PATTERN } from './images';
import { findBuilder, liveBuilders, requireBuilder } from './lookup';
import { readImageRef, requireUsableImage } from './image-use';
import { pageOf, readAppStreamPage } from './pagination';
import type { JsonParams } from '../core/json-params';
import type { JsonObject } from '../core/structure-protocol';
import { builderJson } from './render';
import {
  LATEST_AGENT_VERSION,
  type AppStreamImageRecord,
  type BuilderState,
  type ImageBuilderRecord,
  type AppStreamState,
  type AppStreamContext,
} from './state';
import { readTags } from './tags';
import { ApiError } from '../core/errors';

/**
 * Image builders: create, start, stop, delete, describe. Every transition takes
 * `durations.builderTransition`. Start and delete need STOPPED (delete also
 * FAILED), stop needs RUNNING, intermediate states allow nothing.
 *
 * AppStream has no "incorrect state" error type. A call in the wrong state gets
 * an error each operation's model declares: OperationNotPermittedException for
 * stop and delete, ResourceNotAvailableException for start (which does not
 * model the former).
 */

// stream.standard.medium, stream.compute.2xlarge, stream.memory.z1d.large, stream.graphics.g4dn.xlarge …
const INSTANCE_TYPE = /^stream\.[a-z0-9]+(\.[a-z0-9]+)*\.(small|medium|large|\d*xlarge)$/;
const LATEST_AGENT_REQUEST = '[LATEST]';

function builderAction(builder: ImageBuilderRecord, state: BuilderState, action: string, errorCode: string): ApiError {
  return new ApiError(errorCode, `The image builder ${builder.name} is ${state}. It cannot be ${action} in this state.`);
}

/** Starts a transition: a fresh timeline from the current instant, so each state appears once in it. */
function transition(
  state: AppStreamState,
  builder: ImageBuilderRecord,
  first: BuilderState,
  steps: { state: BuilderState; afterMs: number }[],
): void {
  const timeline = state.timeline<BuilderState>(first);
  for (const step of steps) timeline.then(step.state, step.afterMs);
  builder.lifecycle = timeline;
}

/** PENDING → RUNNING, through UPDATING_AGENT when an agent update was injected. */
function bootSteps(builder: ImageBuilderRecord, ms: number): { state: BuilderState; afterMs: number }[] {
  if (!builder.agentUpdateOnNextStart) return [{ state: 'RUNNING', afterMs: ms }];
  builder.agentUpdateOnNextStart = false;
  return [
    { state: 'UPDATING_AGENT', afterMs: ms },
    { state: 'RUNNING', afterMs: ms },
  ];
}

function readVpcConfig(params: JsonParams): ImageBuilderRecord['vpcConfig'] {
  const vpc = params.struct('VpcConfig');
  if (!vpc) return undefined;
  return { SubnetIds: vpc.stringList('SubnetIds'), SecurityGroupIds: vpc.stringList('SecurityGroupIds') };
}

function sourceImage(params: JsonParams, state: AppStreamState): AppStreamImageRecord {
  const ref = readImageRef(params);
  if (!ref) throw new ApiError('InvalidParameterCombinationException', 'Specify either ImageName or ImageArn, but not both.');
  return requireUsableImage(state, ref, 'allowImageBuilder');
}

function createImageBuilder(params: JsonParams, ctx: AppStreamContext): JsonObject {
  const { state, config } = ctx;
  const name = params.requiredString('Name', { pattern: APPSTREAM_NAME_PATTERN });
  const instanceType = params.requiredString('InstanceType');
  const description = params.string('Description', { maxLength: 256 });
  const displayName = params.string('DisplayName', { maxLength: 100 });
  const iamRoleArn = params.string('IamRoleArn');
  const enableDefaultInternetAccess = params.bool('EnableDefaultInternetAccess');
  const requestedAgent = params.string('AppstreamAgentVersion', { maxLength: 100 });
  const vpcConfig = readVpcConfig(params);
  const tags = readTags(params, 'Tags');
  if (!INSTANCE_TYPE.test(instanceType)) {
    throw new ApiError(
      'InvalidParameterCombinationException',
      `The instance type ${instanceType} is not supported for image builders. Use a stream.* instance type such as stream.standard.medium.`,
    );
  }
  const image = sourceImage(params, state);
  if (findBuilder(state, name)) throw new ApiError('ResourceAlreadyExistsException', `The image builder ${name} already exists.`);

  const now = state.clock.now();
  const builder: ImageBuilderRecord = {
    seq: state.nextSeq(),
    name,
    arn: builderArn(name, state.scope),
    imageArn: image.arn,
    instanceType,
    platform: image.platform,
    displayName,
    description,
    iamRoleArn,
    enableDefaultInternetAccess,
    vpcConfig,
    createdAt: now,
    createdWallAt: Date.now(),
    agentVersion:
      requestedAgent === undefined ? image.agentVersion : requestedAgent === LATEST_AGENT_REQUEST ? LATEST_AGENT_VERSION : requestedAgent,
    tags,
    lifecycle: state.timeline<BuilderState>('PENDING', now).then('RUNNING', config.durations.builderTransition),
  };
  state.appStream.builders.set(name, builder);
  const plannedFailure = ctx.failures.takeForNew('builder', name);
  if (plannedFailure) failBuilder(state, builder, plannedFailure, config.durations.builderTransition);
  return { ImageBuilder: builderJson(builder, now) };
}

function startImageBuilder(params: JsonParams, { state, config }: AppStreamContext): JsonObject {
  const builder = requireBuilder(state, params.requiredString('Name'));
  // Accepted but not acted on: the builder keeps its agent unless an agent update was injected.
  params.string('AppstreamAgentVersion', { maxLength: 100 });
  const current = builder.lifecycle.stateAt(state.clock.now());
  if (current !== 'STOPPED') throw builderAction(builder, current, 'started', 'ResourceNotAvailableException');
  transition(state, builder, 'PENDING', bootSteps(builder, config.durations.builderTransition));
  return { ImageBuilder: builderJson(builder, state.clock.now()) };
}

function stopImageBuilder(params: JsonParams, { state, config }: AppStreamContext): JsonObject {
  const builder = requireBuilder(state, params.requiredString('Name'));
  const current = builder.lifecycle.stateAt(state.clock.now());
  if (current !== 'RUNNING') throw builderAction(builder, current, 'stopped', 'OperationNotPermittedException');
  transition(state, builder, 'STOPPING', [{ state: 'STOPPED', afterMs: config.durations.builderTransition }]);
  return { ImageBuilder: builderJson(builder, state.clock.now()) };
}

function deleteImageBuilder(params: JsonParams, { state, config }: AppStreamContext): JsonObject {
  const builder = requireBuilder(state, params.requiredString('Name'));
  const current = builder.lifecycle.stateAt(state.clock.now());
  if (current !== 'STOPPED' && current !== 'FAILED') throw builderAction(builder, current, 'deleted', 'OperationNotPermittedException');
  transition(state, builder, 'DELETING', [{ state: 'DELETED', afterMs: config.durations.builderTransition }]);
  return { ImageBuilder: builderJson(builder, state.clock.now()) };
}

function describeImageBuilders(params: JsonParams, { state }: AppStreamContext): JsonObject {
  const names = params.stringList('Names');
  const page = readAppStreamPage(params);
  const now = state.clock.now();
  const selected = names.length > 0 ? [...new Set(names)].map((name) => requireBuilder(state, name)) : liveBuilders(state);
  const { items, nextToken } = pageOf(selected, page, 'DescribeImageBuilders');
  return { ImageBuilders: items.map((b) => builderJson(b, now)), NextToken: nextToken };
}

export const appStreamBuilderActions = {
  CreateImageBuilder: createImageBuilder,
  StartImageBuilder: startImageBuilder,
  StopImageBuilder: stopImageBuilder,
  DeleteImageBuilder: deleteImageBuilder,
  DescribeImageBuilders: describeImageBuilders,
};
