/**
 * One provisioning or test step: an SSM Run Command document on one instance, and the polls of its
 * outcome. SendCommand takes no client token, so every step carries a comment that names its work (the
 * run, the stage and the step), and a step looks for a command with its comment on the instance before
 * it sends one: a retry after a lost answer, or a replay after a crash, finds the command already sent
 * instead of running the step again.
 */
import { createHash } from 'node:crypto';
import {
  paginateListCommandInvocations,
  paginateListCommands,
  SendCommandCommand,
  type CommandInvocation,
  type SSMClient,
} from '@aws-sdk/client-ssm';
import { awsCall } from '../aws/call';
import { notFound, notReady, terminalState } from '../aws/not-ready';
import type { ResourceWatch } from '../aws/state-watcher';

export interface StepRequest {
  instanceId: string;
  document: string;
  parameters: Record<string, string[]>;
  timeoutSeconds: number;
  /** Names the step among all the work (`<workflowId>/provision/2`); its comment is derived from it. */
  workKey: string;
  /** What people read in the comment after the key: `provision step 2`. */
  label: string;
}

/** Which invocation a wait is on, and since when it may exist (the batched list starts there). */
export interface StepHandle {
  commandId: string;
  instanceId: string;
  requestedAt: string;
}

/** SSM comments are at most 100 characters: a key of 16 hex characters, then the label. */
const commentFor = (request: Pick<StepRequest, 'workKey' | 'label'>) =>
  `golden-image ${createHash('sha256').update(request.workKey).digest('hex').slice(0, 16)} ${request.label}`.slice(0, 100);

/** `send` must not resend on its own (see PlacedClients.ssmOnce): this function looks before every send. */
export async function sendStep(ssm: SSMClient, send: SSMClient, request: StepRequest): Promise<StepHandle> {
  const comment = commentFor(request);
  const sent = await awsCall(`ListCommands (${request.instanceId})`, async () => {
    for await (const page of paginateListCommands({ client: ssm, pageSize: 50 }, { InstanceId: request.instanceId })) {
      const found = page.Commands?.find((c) => c.Comment === comment);
      if (found) return found;
    }
    return undefined;
  });
  const command =
    sent ??
    (
      await awsCall(`SendCommand (${request.document} on ${request.instanceId})`, () =>
        send.send(
          new SendCommandCommand({
            InstanceIds: [request.instanceId],
            DocumentName: request.document,
            Parameters: request.parameters,
            TimeoutSeconds: request.timeoutSeconds,
            Comment: comment,
          }),
        ),
      )
    ).Command;
  if (!command?.CommandId) throw terminalState('SendCommandNoId', 'SendCommand returned no command');
  return {
    commandId: command.CommandId,
    instanceId: request.instanceId,
    requestedAt: (command.RequestedDateTime ?? new Date()).toISOString(),
  };
}

/** A watch key: the invocation and the time from which the batched list must look. */
export const invocationKey = (step: StepHandle) => `${step.commandId}|${step.instanceId}|${step.requestedAt}`;

/**
 * The invocations of many steps in one paginated ListCommandInvocations: every invocation since the
 * oldest step asked about, with its output, picked out by command and instance.
 */
export async function describeInvocations(ssm: SSMClient, keys: string[]): Promise<Map<string, CommandInvocation>> {
  const wanted = new Map(keys.map((key) => [key.split('|').slice(0, 2).join('|'), key]));
  // A minute early: the list compares with SSM's clock, which need not agree with SendCommand's answer to the second.
  const since = new Date(Math.min(...keys.map((key) => Date.parse(key.split('|')[2]!))) - 60_000).toISOString();
  return awsCall('ListCommandInvocations', async () => {
    const found = new Map<string, CommandInvocation>();
    const pages = paginateListCommandInvocations(
      { client: ssm, pageSize: 50 },
      { Details: true, Filters: [{ key: 'InvokedAfter', value: since }] },
    );
    for await (const page of pages) {
      for (const invocation of page.CommandInvocations ?? []) {
        const key = wanted.get(`${invocation.CommandId}|${invocation.InstanceId}`);
        if (key) found.set(key, invocation);
      }
    }
    return found;
  });
}

const RUNNING = new Set(['Pending', 'InProgress', 'Delayed', 'Cancelling']);
/** How much of a failed step's output the failure carries: its last lines, not a log. */
const OUTPUT_TAIL_LINES = 10;
const OUTPUT_TAIL_CHARS = 1000;

export interface StepOutcome {
  status: 'Success';
  responseCode: number;
}

/** One poll of a step: done, still running (retryable), or failed with its document, exit code and last lines of output. */
export async function waitForStep(
  invocations: ResourceWatch<CommandInvocation>,
  step: StepHandle & { document: string; label: string },
  notFoundGraceUntil: string,
): Promise<StepOutcome> {
  const invocation = await invocations.observe(invocationKey(step));
  if (!invocation) throw notFound('InvocationDoesNotExist', `command ${step.commandId} on ${step.instanceId}`, notFoundGraceUntil);
  const status = invocation.Status ?? 'Pending';
  const plugins = invocation.CommandPlugins ?? [];
  const responseCode = plugins.find((p) => (p.ResponseCode ?? 0) !== 0)?.ResponseCode ?? plugins[0]?.ResponseCode ?? 0;
  if (status === 'Success') return { status, responseCode };
  if (RUNNING.has(status)) throw notReady(`${step.label} (${step.document}) is ${status}`);
  const output = plugins.map((p) => p.Output ?? '').join('\n');
  const tail = output.trimEnd().split('\n').slice(-OUTPUT_TAIL_LINES).join('\n').slice(-OUTPUT_TAIL_CHARS);
  throw terminalState(
    'StepFailed',
    `${step.label} (${step.document}) ${status === 'TimedOut' ? 'timed out' : `ended ${status}`} with exit code ${responseCode}${tail ? `: ${tail}` : ''}`,
    { commandId: step.commandId, instanceId: step.instanceId, status, responseCode, statusDetails: invocation.StatusDetails },
  );
}
