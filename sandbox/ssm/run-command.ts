import { randomUUID } from 'node:crypto';
import { ApiError } from '../core/errors';
import { validationError, type JsonParams } from '../core/json-params';
import type { JsonAction } from '../core/json-service';
import type { JsonObject } from '../core/structure-protocol';
import { syncAgents, viewAgent } from './agents';
import { pluginOutput, standardErrorContent, standardOutputContent } from './command-output';
import { takeRun } from './command-outcomes';
import { checkParameters, checkPlatform, requireDocument, runningStep, skippedStepOutput, type RunDocument } from './documents';
import { cancelInvocation, newInvocation, readCommand, readInvocation, settleInvocation, type InvocationReading } from './invocations';
import { newestFirst, ssmPage } from './pagination';
import type { CommandRecord, InvocationRecord, SsmContext, SsmState } from './state';

/**
 * Run Command: SendCommand, GetCommandInvocation, ListCommandInvocations, ListCommands and CancelCommand, over
 * the AWS documents in documents.ts. SendCommand has no client token: each call is a new command. A
 * command's invocations live as invocations.ts describes; GetCommandInvocation does not find a new command
 * for `notFoundWindowMs` (Run Command's documented eventual consistency), the listings find it at once.
 */

type SsmAction = JsonAction<SsmState>;

export const INSTANCE_ID = /(^i-(\w{8}|\w{17})$)|(^mi-\w{17}$)/;
export const DOCUMENT_ARN = /^[a-zA-Z0-9_\-.:/]{3,128}$/;
export const DOCUMENT_VERSION = /([$]LATEST|[$]DEFAULT|^[1-9][0-9]*$)/;
const MAX_CONCURRENCY = /^([1-9][0-9]*|[1-9][0-9]%|[1-9]%|100%)$/;
const MAX_ERRORS = /^([1-9][0-9]*|[0]|[1-9][0-9]%|[0-9]%|100%)$/;
const COMMAND_ID_LENGTH = 36;
const MAX_INSTANCE_IDS = 50;
const DEFAULT_TIMEOUT_SECONDS = 3600;
/** Instances Run Command refuses outright; stopped and stopping ones it accepts, and their commands wait. */
const GONE: ReadonlySet<string> = new Set(['shutting-down', 'terminated']);

const NO_NOTIFICATIONS = { NotificationArn: '', NotificationEvents: [], NotificationType: '' };
const NO_CLOUDWATCH = { CloudWatchLogGroupName: '', CloudWatchOutputEnabled: false };

function readCommandId(params: JsonParams, name: string, required: boolean): string | undefined {
  const id = required ? params.requiredString(name) : params.string(name);
  if (id !== undefined && id.length !== COMMAND_ID_LENGTH) {
    const bound = id.length < COMMAND_ID_LENGTH ? 'greater' : 'less';
    throw validationError(params.path(name), id, `Member must have length ${bound} than or equal to ${COMMAND_ID_LENGTH}`);
  }
  return id;
}

function readInstanceIds(params: JsonParams): string[] {
  const ids = params.stringList('InstanceIds');
  const shown = `[${ids.join(', ')}]`;
  if (ids.length > MAX_INSTANCE_IDS) {
    throw validationError('instanceIds', shown, `Member must have length less than or equal to ${MAX_INSTANCE_IDS}`);
  }
  if (ids.some((id) => !INSTANCE_ID.test(id))) {
    throw validationError(
      'instanceIds',
      shown,
      `Member must satisfy constraint: [Member must satisfy regular expression pattern: ${INSTANCE_ID.source}]`,
    );
  }
  return [...new Set(ids)];
}

/** Reads invocations as of now: each is first brought in line with what its instance and agent did. */
function invocationReader(ctx: SsmContext): (inv: InvocationRecord) => InvocationReading {
  const { state, config } = ctx;
  const nodes = syncAgents(state, config);
  const now = state.clock.now();
  return (inv) => {
    const node = nodes.get(inv.instanceId);
    settleInvocation(state, config, inv, node && viewAgent(node, state.ssm.agents.get(node.id)!, now));
    return readInvocation(inv, now);
  };
}

const isoOrEmpty = (ms: number | undefined) => (ms === undefined ? '' : new Date(ms).toISOString());

/** A document step's reading: the step that runs is the invocation; the others are skipped once it has started. */
function stepReading(document: RunDocument, inv: InvocationRecord, reading: InvocationReading, stepName: string): InvocationReading {
  const step = document.steps.find((s) => s.name === stepName)!;
  if (step === runningStep(document, inv.platform)) return reading;
  if (reading.startedAt === undefined) return { ...reading, stdout: '', stderr: '' };
  const skipped = skippedStepOutput(step);
  return {
    detail: 'Success',
    status: 'Success',
    responseCode: 0,
    startedAt: reading.startedAt,
    endedAt: reading.startedAt,
    stdout: skipped,
    stderr: '',
  };
}

function commandMembers(ctx: SsmContext, command: CommandRecord, read: (inv: InvocationRecord) => InvocationReading): JsonObject {
  return {
    CommandId: command.commandId,
    DocumentName: command.documentName,
    DocumentVersion: command.documentVersion,
    Comment: command.comment,
    ExpiresAfter: new Date(command.expiresAfter),
    Parameters: command.parameters,
    InstanceIds: command.instanceIds,
    Targets: [],
    RequestedDateTime: new Date(command.requestedAt),
    ...readCommand([...command.invocations.values()].map(read)),
    OutputS3Region: ctx.state.scope.region,
    OutputS3BucketName: command.outputS3BucketName,
    OutputS3KeyPrefix: command.outputS3KeyPrefix,
    MaxConcurrency: command.maxConcurrency,
    MaxErrors: command.maxErrors,
    ServiceRole: '',
    NotificationConfig: NO_NOTIFICATIONS,
    CloudWatchOutputConfig: NO_CLOUDWATCH,
    TimeoutSeconds: command.timeoutSeconds,
  };
}

const sendCommand: SsmAction = (params, ctx) => {
  const { state, config } = ctx;
  const documentName = params.requiredString('DocumentName', { pattern: DOCUMENT_ARN });
  const documentVersion = params.string('DocumentVersion', { pattern: DOCUMENT_VERSION });
  const instanceIds = readInstanceIds(params);
  const comment = params.string('Comment', { maxLength: 100 }) ?? '';
  const timeoutSeconds = params.int('TimeoutSeconds', { min: 30, max: 2592000 }) ?? DEFAULT_TIMEOUT_SECONDS;
  const parameters = params.stringListMap('Parameters');
  const maxConcurrency = params.string('MaxConcurrency', { pattern: MAX_CONCURRENCY }) ?? '50';
  const maxErrors = params.string('MaxErrors', { pattern: MAX_ERRORS }) ?? '0';
  const outputS3BucketName = params.string('OutputS3BucketName', { maxLength: 63 }) ?? '';
  const outputS3KeyPrefix = params.string('OutputS3KeyPrefix', { maxLength: 500 }) ?? '';
  if (params.structList('Targets').length > 0) {
    throw new ApiError('ValidationException', 'The sandbox does not model Targets: name the instances in InstanceIds.');
  }
  if (instanceIds.length === 0) throw new ApiError('ValidationException', 'InstanceIds or Targets must be specified.');

  const document = requireDocument(documentName, documentVersion);
  checkParameters(document, parameters);
  const now = state.clock.now();
  const nodes = syncAgents(state, config);
  const views = instanceIds.map((id) => {
    const node = nodes.get(id);
    return node && viewAgent(node, state.ssm.agents.get(id)!, now);
  });
  const invalid = instanceIds.filter((_, i) => {
    const view = views[i];
    return !view || view.registeredAt === undefined || GONE.has(view.instanceState);
  });
  if (invalid.length > 0) {
    throw new ApiError(
      'InvalidInstanceId',
      `Instances [[${invalid.join(', ')}]] not in a valid state for account ${state.scope.accountId}`,
    );
  }
  for (const view of views) checkPlatform(document, view!.node.id, view!.node.platform);

  const parameterValues = Object.fromEntries(parameters);
  const executionTimeoutSeconds = document.executionTimeoutSeconds(parameterValues);
  const command: CommandRecord = {
    seq: state.nextSeq(),
    commandId: randomUUID(),
    documentName,
    documentVersion: documentVersion ?? '',
    comment,
    parameters: parameterValues,
    instanceIds,
    timeoutSeconds,
    maxConcurrency,
    maxErrors,
    outputS3BucketName,
    outputS3KeyPrefix,
    requestedAt: now,
    // As SSM computes it: the delivery timeout plus the document's execution timeout.
    expiresAfter: now + (timeoutSeconds + executionTimeoutSeconds) * 1000,
    invocations: new Map(
      views.map((view) => {
        const { id, platform } = view!.node;
        const run = takeRun(state, config, { documentName, instanceId: id, parameters: parameterValues });
        const invocation = newInvocation(state, config, {
          instanceId: id,
          platform,
          run,
          deliverBy: now + timeoutSeconds * 1000,
          executionTimeoutMs: executionTimeoutSeconds * 1000,
          agentOnline: view!.onlineSince !== undefined,
        });
        return [id, invocation];
      }),
    ),
    visibility: state.timeline<'hidden' | 'visible'>('hidden', now).then('visible', config.notFoundWindowMs),
  };
  state.ssm.commands.set(command.commandId, command);
  return { Command: commandMembers(ctx, command, invocationReader(ctx)) };
};

const getCommandInvocation: SsmAction = (params, ctx) => {
  const { state } = ctx;
  const commandId = readCommandId(params, 'CommandId', true)!;
  const instanceId = params.requiredString('InstanceId', { pattern: INSTANCE_ID });
  const pluginName = params.string('PluginName');
  if (pluginName !== undefined && pluginName.length < 4) {
    throw validationError('pluginName', pluginName, 'Member must have length greater than or equal to 4');
  }
  const command = state.ssm.commands.get(commandId);
  const inv = command?.invocations.get(instanceId);
  if (!command || !inv || command.visibility.stateAt(state.clock.now()) !== 'visible') {
    throw new ApiError('InvocationDoesNotExist', '');
  }
  const document = requireDocument(command.documentName, undefined);
  if (pluginName !== undefined && !document.steps.some((s) => s.name === pluginName)) throw new ApiError('InvalidPluginName', '');
  // A document of several steps reports one only when asked for it by name; otherwise the invocation, without output.
  const stepName = pluginName ?? (document.steps.length === 1 ? document.steps[0]!.name : undefined);
  const invocation = invocationReader(ctx)(inv);
  const reading = stepName === undefined ? { ...invocation, stdout: '', stderr: '' } : stepReading(document, inv, invocation, stepName);
  const now = state.clock.now();
  return {
    CommandId: command.commandId,
    InstanceId: instanceId,
    Comment: command.comment,
    DocumentName: command.documentName,
    DocumentVersion: command.documentVersion,
    PluginName: stepName,
    ResponseCode: reading.responseCode,
    ExecutionStartDateTime: isoOrEmpty(reading.startedAt),
    ExecutionElapsedTime: reading.startedAt === undefined ? '' : `PT${((reading.endedAt ?? now) - reading.startedAt) / 1000}S`,
    ExecutionEndDateTime: isoOrEmpty(reading.endedAt),
    Status: reading.status,
    StatusDetails: reading.detail,
    StandardOutputContent: standardOutputContent(reading.stdout),
    StandardOutputUrl: '',
    StandardErrorContent: standardErrorContent(reading.stderr),
    StandardErrorUrl: '',
    CloudWatchOutputConfig: NO_CLOUDWATCH,
  };
};

/** What the Filters of ListCommands and ListCommandInvocations test. */
interface Listed {
  requestedAt: number;
  documentName: string;
  status: string;
  statusDetails: string;
}

const FILTER_KEYS = ['InvokedAfter', 'InvokedBefore', 'Status', 'ExecutionStage', 'DocumentName'];
/** The Status filter's values, as the API reference lists them for each operation. */
const STATUS_VALUES = {
  ListCommands: [
    'Pending',
    'InProgress',
    'Success',
    'Cancelled',
    'Failed',
    'TimedOut',
    'AccessDenied',
    'DeliveryTimedOut',
    'ExecutionTimedOut',
    'Incomplete',
    'NoInstancesInTag',
    'LimitExceeded',
  ],
  ListCommandInvocations: [
    'Pending',
    'InProgress',
    'Delayed',
    'Success',
    'Cancelled',
    'Failed',
    'TimedOut',
    'AccessDenied',
    'DeliveryTimedOut',
    'ExecutionTimedOut',
    'Undeliverable',
    'InvalidPlatform',
    'Terminated',
  ],
};
/** Status values that name a StatusDetails rather than a Status. */
const DETAIL_STATUS: Record<string, string> = { DeliveryTimedOut: 'Delivery Timed Out', ExecutionTimedOut: 'Execution Timed Out' };
const MAX_FILTERS = 5;

function readFilters(params: JsonParams, operation: keyof typeof STATUS_VALUES): ((item: Listed) => boolean)[] {
  const filters = params.structList('Filters');
  if (filters.length > MAX_FILTERS)
    throw validationError('filters', `[${filters.length} filters]`, `Member must have length less than or equal to ${MAX_FILTERS}`);
  return filters.map((filter) => {
    const key = filter.requiredString('key', { oneOf: FILTER_KEYS });
    const value = filter.requiredString('value', { maxLength: 128 });
    const invalidValue = () => new ApiError('ValidationException', `The value ${value} is not valid for the filter ${key}.`);
    switch (key) {
      case 'InvokedAfter':
      case 'InvokedBefore': {
        const at = Date.parse(value);
        if (Number.isNaN(at)) throw invalidValue();
        return key === 'InvokedAfter' ? (item) => item.requestedAt >= at : (item) => item.requestedAt <= at;
      }
      case 'Status':
        if (!STATUS_VALUES[operation].includes(value)) throw invalidValue();
        return (item) => (DETAIL_STATUS[value] ? item.statusDetails === DETAIL_STATUS[value] : item.status === value);
      case 'ExecutionStage':
        if (operation !== 'ListCommands') throw new ApiError('InvalidFilterKey', 'The ExecutionStage filter applies to ListCommands only.');
        if (value !== 'Executing' && value !== 'Complete') throw invalidValue();
        return (item) => (item.status === 'Pending' || item.status === 'InProgress') === (value === 'Executing');
      default:
        return (item) => item.documentName === value;
    }
  });
}

function readListing(params: JsonParams, operation: keyof typeof STATUS_VALUES) {
  return {
    commandId: readCommandId(params, 'CommandId', false),
    instanceId: params.string('InstanceId', { pattern: INSTANCE_ID }),
    page: { maxResults: params.int('MaxResults', { min: 1, max: 50 }) ?? 50, nextToken: params.string('NextToken') },
    filters: readFilters(params, operation),
  };
}

function commandsOf(state: SsmState, commandId: string | undefined): CommandRecord[] {
  const all = [...state.ssm.commands.values()];
  return commandId === undefined ? all : all.filter((c) => c.commandId === commandId);
}

const listCommandInvocations: SsmAction = (params, ctx) => {
  const { state } = ctx;
  const { commandId, instanceId, page, filters } = readListing(params, 'ListCommandInvocations');
  const details = params.bool('Details') ?? false;
  const read = invocationReader(ctx);
  const keyed = commandsOf(state, commandId).flatMap((command) =>
    command.instanceIds
      .map((id, index) => ({ command, inv: command.invocations.get(id)!, index }))
      .filter(({ inv }) => instanceId === undefined || inv.instanceId === instanceId)
      .map(({ command, inv, index }) => ({ key: newestFirst(command.seq, index), item: { command, inv, reading: read(inv) } }))
      .filter(({ item: { command, reading } }) =>
        filters.every((f) => f({ ...command, status: reading.status, statusDetails: reading.detail })),
      ),
  );
  const { items, nextToken } = ssmPage(keyed, page, 'ListCommandInvocations');
  return {
    CommandInvocations: items.map(({ command, inv, reading }) => {
      const document = requireDocument(command.documentName, undefined);
      return {
        CommandId: command.commandId,
        InstanceId: inv.instanceId,
        InstanceName: '',
        Comment: command.comment,
        DocumentName: command.documentName,
        DocumentVersion: command.documentVersion,
        RequestedDateTime: new Date(command.requestedAt),
        Status: reading.status,
        StatusDetails: reading.detail,
        StandardOutputUrl: '',
        StandardErrorUrl: '',
        CommandPlugins: details
          ? document.steps.map((step) => {
              const r = stepReading(document, inv, reading, step.name);
              return {
                Name: step.name,
                Status: r.status,
                StatusDetails: r.detail,
                ResponseCode: r.responseCode,
                ResponseStartDateTime: r.startedAt === undefined ? undefined : new Date(r.startedAt),
                ResponseFinishDateTime: r.endedAt === undefined ? undefined : new Date(r.endedAt),
                Output: pluginOutput(r.stdout, r.stderr),
                StandardOutputUrl: '',
                StandardErrorUrl: '',
                OutputS3Region: state.scope.region,
                OutputS3BucketName: command.outputS3BucketName,
                OutputS3KeyPrefix: command.outputS3KeyPrefix,
              };
            })
          : [],
        ServiceRole: '',
        NotificationConfig: NO_NOTIFICATIONS,
        CloudWatchOutputConfig: NO_CLOUDWATCH,
      };
    }),
    NextToken: nextToken,
  };
};

const listCommands: SsmAction = (params, ctx) => {
  const { state } = ctx;
  const { commandId, instanceId, page, filters } = readListing(params, 'ListCommands');
  const read = invocationReader(ctx);
  const keyed = commandsOf(state, commandId)
    .filter((command) => instanceId === undefined || command.instanceIds.includes(instanceId))
    .map((command) => ({ key: newestFirst(command.seq), item: commandMembers(ctx, command, read) }))
    .filter(({ item }) =>
      filters.every((f) =>
        f({
          requestedAt: (item.RequestedDateTime as Date).getTime(),
          documentName: item.DocumentName as string,
          status: item.Status as string,
          statusDetails: item.StatusDetails as string,
        }),
      ),
    );
  const { items, nextToken } = ssmPage(keyed, page, 'ListCommands');
  return { Commands: items, NextToken: nextToken };
};

/** Unfinished invocations (all of the command's, or those of InstanceIds) are Cancelled. */
const cancelCommand: SsmAction = (params, ctx) => {
  const { state } = ctx;
  const commandId = readCommandId(params, 'CommandId', true)!;
  const instanceIds = readInstanceIds(params);
  const command = state.ssm.commands.get(commandId);
  if (!command) throw new ApiError('InvalidCommandId', '');
  const read = invocationReader(ctx);
  for (const inv of command.invocations.values()) {
    if (instanceIds.length > 0 && !instanceIds.includes(inv.instanceId)) continue;
    read(inv);
    cancelInvocation(inv, state.clock.now());
  }
  return {};
};

export const runCommandActions: Record<string, SsmAction> = {
  SendCommand: sendCommand,
  GetCommandInvocation: getCommandInvocation,
  ListCommandInvocations: listCommandInvocations,
  ListCommands: listCommands,
  CancelCommand: cancelCommand,
};
