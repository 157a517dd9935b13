/**
 * Where an AWS call is made: a Region, and for another account the role the worker assumes there.
 * Places cross into workflows and histories, so they hold names only, never credentials: the worker
 * assumes the role itself and keeps the credentials in memory (activities/aws/clients.ts).
 */
export interface Place {
  /** Omitted: the worker's own Region (the build Region). */
  region?: string;
  roleArn?: string;
  /** The STS session name, which tells CloudTrail which run acted (see `sessionName`). */
  session?: string;
}

/** The account a role belongs to. */
export function roleAccount(roleArn: string): string {
  return roleArn.split(':')[4]!;
}

/** A place as people read it: `us-west-2`, `444455556666/us-west-2`, or `the build Region`. */
export function placeName(place: Place): string {
  const account = place.roleArn ? `${roleAccount(place.roleArn)}/` : '';
  return place.region ? `${account}${place.region}` : `${account}the build Region`;
}

/** A resource ID qualified by where it lives, for the UI and `GoldenImageResources`: `us-west-2/ami-…`, `444455556666/us-west-2/ami-…`. */
export function placedId(place: Place, id: string): string {
  return place.region || place.roleArn ? `${placeName(place)}/${id}` : id;
}

/** AssumeRole's RoleSessionName: 2-64 of [\w+=,.@-]; from the pipeline and run, so a session names its run. */
export function sessionName(pipeline: string, runId: string): string {
  const run = runId.replace(/[^\w+=,.@-]/g, '-').slice(0, 16);
  return `gi-${pipeline.replace(/[^\w+=,.@-]/g, '-')}`.slice(0, 64 - run.length - 1) + `-${run}`;
}
