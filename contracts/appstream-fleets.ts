/** What an `appStreamImageUpdate` run did to its fleets, and what a rollback of them takes and gives. */
import type { WaitSettings } from './duration-fields';

/** What became of one fleet in the `fleets` stage (or a rollback): the result and `golden-image appstream rollback` read it. */
export interface FleetRow {
  name: string;
  region?: string;
  /** The image the fleet was on before this run changed it (its ARN, which names public and shared images too). */
  previousImageArn?: string;
  imageArn?: string;
  status: 'updated' | 'failed' | 'untouched';
  /** Whether it was running (or starting) before the run changed it. */
  wasRunning?: boolean;
  /** Stopped (and, once updated, started again) around the update. */
  restarted?: boolean;
  detail?: string;
}

/** The fleets a run moved off the image they were on: what a rollback puts back. */
export const movedFleets = (rows: FleetRow[]): FleetRow[] =>
  rows.filter((row) => row.imageArn && row.previousImageArn && row.imageArn !== row.previousImageArn);

/** The failure details of a run whose `fleets` stage failed: which fleets it had changed, for a rollback. */
export interface FleetsFailureDetails {
  fleets: FleetRow[];
}

/** `appStreamFleetRollback`: the fleets a run changed, put back on the images they were on. */
export interface AppStreamFleetRollbackInput {
  /** The run whose fleets go back. */
  runWorkflowId: string;
  fleets: FleetRow[];
  waits: { fleet: WaitSettings };
}

export interface AppStreamFleetRollbackResult {
  runWorkflowId: string;
  fleets: FleetRow[];
}
