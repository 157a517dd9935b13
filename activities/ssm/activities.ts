/** The SSM activities, bound to their clients; activities/index.ts merges them in. Publish takes an optional place last; bakes run in the build Region. */
import type { Place } from '../../contracts/place';
import type { AwsClients } from '../aws/clients';
import { graceFromScheduled } from '../aws/not-ready';
import type { SourceImage } from '../ec2/source-image';
import type { Watchers } from '../watchers';
import { waitForAgent } from './agent';
import { checkStepDocuments, type StepDocumentUse } from './documents';
import { publishImageParameter, type ImageParameterRequest } from './image-parameter';
import { sendStep, waitForStep, type StepHandle, type StepRequest } from './run-command';

/** How long "no such invocation" right after SendCommand means "not visible yet". */
const INVOCATION_NOT_FOUND_GRACE_MS = 60_000;

export function createSsmActivities(clients: AwsClients, watchers: Watchers) {
  return {
    checkStepDocuments: (steps: StepDocumentUse[], platform: SourceImage['platform']) =>
      checkStepDocuments(clients.at().ssm, steps, platform),
    sendStep: (request: StepRequest) => sendStep(clients.at().ssm, clients.at().ssmOnce, request),
    // The grace runs from when the wait was first scheduled, right after its step was sent.
    waitForStep: (step: StepHandle & { document: string; label: string }) =>
      waitForStep(watchers.invocations, step, graceFromScheduled(INVOCATION_NOT_FOUND_GRACE_MS)),
    waitForAgent: (instanceId: string) => waitForAgent(watchers.agents, instanceId),
    publishImageParameter: (request: ImageParameterRequest, place?: Place) => publishImageParameter(clients.at(place).ssm, request),
  };
}
