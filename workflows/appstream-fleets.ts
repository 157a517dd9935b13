/**
 * Putting AppStream fleets on an image, one fleet at a time: the `fleets` stage of
 * appStreamImageUpdate, and `appStreamFleetRollback`, which puts a run's fleets back on the images
 * they were on. Each fleet is read first, so its previous image is in history before anything changes
 * it. With `restart`, a running fleet is stopped, updated and started again, and the run waits until
 * it is RUNNING (botocore's `fleet_started`); without, the fleet keeps running and new sessions get the
 * new image. The first fleet that fails stops the stage: those after it stay untouched, and the
 * failure's details list every fleet, so a rollback knows what changed. A cancel takes effect between
 * fleets, never halfway through one.
 */
import { ApplicationFailure, CancellationScope, CancelledFailure, isCancellation, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { CALL_OPTIONS, pollOptions } from './activity-options';
import {
  movedFleets,
  type AppStreamFleetRollbackInput,
  type AppStreamFleetRollbackResult,
  type FleetRow,
  type FleetsFailureDetails,
} from '../contracts/appstream-fleets';
import type { WaitSettings } from '../contracts/duration-fields';
import { StageTracker } from './stage-tracker';

const { describeFleet, changeFleet, updateFleetImage, waitForFleet } = proxyActivities<Activities>(CALL_OPTIONS);

/** One fleet to put on an image. */
export interface FleetChange {
  name: string;
  region?: string;
  imageArn: string;
  /** Stop and start it around the update (when it is running). */
  restart: boolean;
  /** A rollback: whether the fleet ran before the run changed it, so that it ends as it was. */
  wasRunning?: boolean;
}

const where = (row: { name: string; region?: string }) => `fleet ${row.name}${row.region ? ` in ${row.region}` : ''}`;

async function changeOne(change: FleetChange, row: FleetRow, wait: WaitSettings): Promise<void> {
  const { name, region } = change;
  const before = await describeFleet.executeWithOptions({ summary: `DescribeFleets ${name}: the image it is on` }, [name, region]);
  row.previousImageArn = before.imageArn;
  row.wasRunning = change.wasRunning ?? before.state !== 'STOPPED';
  const restart = change.restart && row.wasRunning;
  if (restart) {
    row.restarted = true;
    if (before.state !== 'STOPPED') {
      await changeFleet.executeWithOptions({ summary: `StopFleet ${name}` }, [name, 'stop', region]);
      await waitForFleet.executeWithOptions({ ...pollOptions(wait), summary: `wait until ${where(change)} is STOPPED` }, [
        name,
        'STOPPED',
        region,
      ]);
    }
  }
  await updateFleetImage.executeWithOptions({ ...pollOptions(wait), summary: `UpdateFleet ${name} to ${change.imageArn}` }, [
    name,
    change.imageArn,
    region,
  ]);
  row.imageArn = change.imageArn;
  if (restart) {
    await changeFleet.executeWithOptions({ summary: `StartFleet ${name}` }, [name, 'start', region]);
    await waitForFleet.executeWithOptions({ ...pollOptions(wait), summary: `wait until ${where(change)} is RUNNING` }, [
      name,
      'RUNNING',
      region,
    ]);
  }
}

/** Each fleet in turn; the rows say what became of each, and a failure carries them in its details. */
export async function updateFleets(changes: FleetChange[], wait: WaitSettings, note: (text: string) => void): Promise<FleetRow[]> {
  const rows: FleetRow[] = changes.map(({ name, region }) => ({ name, ...(region ? { region } : {}), status: 'untouched' }));
  const scope = CancellationScope.current();
  for (const [i, change] of changes.entries()) {
    const row = rows[i]!;
    // Asked explicitly: every call of a fleet's change runs in its non-cancellable scope, so no call in
    // this scope would ever see the cancel.
    if (scope.consideredCancelled) throw new CancelledFailure(`cancelled before ${where(change)}`);
    try {
      // A cancel lets the fleet under way finish (a fleet left stopped halfway serves no one), and stops before the next.
      await CancellationScope.nonCancellable(() => changeOne(change, row, wait));
      row.status = 'updated';
      note(`${where(change)} on ${change.imageArn.split('/').pop()}${row.restarted ? ' (restarted)' : ''}`);
    } catch (err) {
      if (isCancellation(err)) throw err;
      row.status = 'failed';
      row.detail = (err as Error).cause instanceof Error ? ((err as Error).cause as Error).message : (err as Error).message;
      const details: FleetsFailureDetails = { fleets: rows };
      throw ApplicationFailure.create({
        type: 'FleetUpdateFailed',
        message: `${where(change)}: ${row.detail}; ${rows.filter((r) => r.status === 'untouched').length} fleets after it untouched`,
        nonRetryable: true,
        details: [details],
        cause: err as Error,
      });
    }
  }
  return rows;
}

/** The fleets of a run that it moved to its image, as changes back to the images they were on. */
export function rollbackChanges(rows: FleetRow[]): FleetChange[] {
  return movedFleets(rows).map((row) => ({
    name: row.name,
    ...(row.region ? { region: row.region } : {}),
    imageArn: row.previousImageArn!,
    restart: row.restarted ?? false,
    wasRunning: row.wasRunning,
  }));
}

/** `golden-image appstream rollback`: the fleets a run moved go back to their previous images. */
export async function appStreamFleetRollback(input: AppStreamFleetRollbackInput): Promise<AppStreamFleetRollbackResult> {
  const stages = new StageTracker(`rollback of ${input.runWorkflowId}`, ['fleets'] as const);
  const changes = rollbackChanges(input.fleets);
  for (const change of changes) stages.addResource(`${change.region ? `${change.region}/` : ''}${change.name}`);
  const fleets = await stages.run('fleets', () => updateFleets(changes, input.waits.fleet, (text) => stages.note('fleets', text)));
  return { runWorkflowId: input.runWorkflowId, fleets };
}
