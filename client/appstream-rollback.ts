/**
 * `golden-image appstream rollback <workflow-id>`: the fleets an appStreamImageUpdate run moved to its
 * image go back to the images they were on. The fleets and their previous images come from the run
 * itself (its result, or the details of its failed `fleets` stage); the rollback is a workflow of its
 * own, on the run's task queue, with an ID derived from the run, so asking again while it runs attaches to it.
 */
import { WorkflowFailedError, WorkflowIdConflictPolicy, type Client, type WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { movedFleets, type AppStreamFleetRollbackInput, type FleetRow, type FleetsFailureDetails } from '../contracts/appstream-fleets';
import { fleetWait, type AppStreamImageUpdateResult } from '../contracts/appstream-image-update';
import type { WaitSettings } from '../contracts/duration-fields';
import { parseInput } from '../contracts/input-validation';

/** The fleets a finished run changed: from its result, or from its failure's details. */
async function fleetsOfRun(client: Client, workflowId: string): Promise<FleetRow[]> {
  const run = client.workflow.getHandle(workflowId);
  const { status, type } = await run.describe();
  if (type !== 'appStreamImageUpdate') throw new Error(`${workflowId} is an ${type} run, not an AppStream image update`);
  if (status.name === 'RUNNING') throw new Error(`${workflowId} is still running: cancel it first, or wait for it to end`);
  try {
    const result = (await run.result()) as AppStreamImageUpdateResult;
    return result.updated ? (result.fleets ?? []) : [];
  } catch (err) {
    const details = err instanceof WorkflowFailedError ? (err.cause as { details?: unknown[] } | undefined)?.details : undefined;
    return (details?.[0] as FleetsFailureDetails | undefined)?.fleets ?? [];
  }
}

/** `wait`: how the rollback waits on each fleet (default: every 30 s, for up to 1 h); bad settings fail before anything starts. */
export async function startFleetRollback(
  client: Client,
  workflowId: string,
  wait: Partial<WaitSettings> = {},
): Promise<WorkflowHandleWithFirstExecutionRunId> {
  const fleet = parseInput(fleetWait, wait);
  const fleets = await fleetsOfRun(client, workflowId);
  if (!movedFleets(fleets).length) throw new Error(`${workflowId} moved no fleet to its image: there is nothing to roll back`);
  const run = await client.workflow.getHandle(workflowId).describe();
  const input: AppStreamFleetRollbackInput = {
    runWorkflowId: workflowId,
    fleets,
    waits: { fleet },
  };
  return client.workflow.start('appStreamFleetRollback', {
    workflowId: `${workflowId}-rollback`,
    taskQueue: run.taskQueue,
    // Asked again while it runs: the same rollback, not a second one.
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
    args: [input],
    staticSummary: `roll back the fleets of ${workflowId}`,
  });
}
