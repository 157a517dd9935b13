import type { CallCounts } from './core/calls';
import type { SandboxConfig, SandboxConfigOverrides } from './core/config';
import type { FailureInput } from './core/failures';
import type { FaultInput } from './core/faults';
import type { Scope } from './core/state';
import type { PublishedBaseImage, UnhealthyAnswer } from './admin';
import type { FleetStartFailureAnswer, FleetStartFailureInput } from './appstream/fleet-start-failures';
import type { UnhealthyInput } from './autoscaling/instance-health';
import type { AlarmStateInput } from './cloudwatch/alarms';
import type { SnsMessageLog } from './sns/publish';
import type { AgentSettingInput } from './ssm/agents';
import type { CommandOutcomeInput } from './ssm/command-outcomes';
import type { OutcomePlan } from './ssm/state';
import type { StateDump } from './state-dump';

/**
 * A typed client for the sandbox's /_sandbox/ API, for tests and the dev stack. Calls about resources
 * take an account and Region (`fail` and `fault` in their input) and default to the default ones.
 */
export class SandboxAdmin {
  private readonly base: string;

  /** `endpoint` is the sandbox URL, e.g. http://127.0.0.1:4577 */
  constructor(endpoint: string) {
    this.base = `${endpoint.replace(/\/$/, '')}/_sandbox/`;
  }

  /** Clears all resources, counts and faults, reseeds, and applies `config` to the startup config. */
  async reset(config: SandboxConfigOverrides = {}): Promise<SandboxConfig> {
    return (await this.request<{ config: SandboxConfig }>('POST', 'reset', config)).config;
  }

  config(): Promise<SandboxConfig> {
    return this.request('GET', 'config');
  }

  /** Merges `overrides` into the current config. */
  configure(overrides: SandboxConfigOverrides): Promise<SandboxConfig> {
    return this.request('POST', 'config', overrides);
  }

  /** Every call since the counts were reset; with `scope`, only those of that account and Region. */
  calls(scope?: Partial<Scope>): Promise<CallCounts> {
    return this.request('GET', scope ? `calls?${scopeQuery(scope)}` : 'calls');
  }

  async resetCalls(): Promise<void> {
    await this.request('POST', 'calls/reset');
  }

  /** The next `count` calls of an action fail with an error, hang, or have their connection reset. */
  async fault(fault: FaultInput): Promise<void> {
    await this.request('POST', 'faults', fault);
  }

  async clearFaults(): Promise<void> {
    await this.request('DELETE', 'faults');
  }

  /** Makes a resource (by id, or the next one created) end in its failed state. */
  async fail(failure: FailureInput): Promise<void> {
    await this.request('POST', 'fail', failure);
  }

  /** With `ms`, moves the virtual clock forward; without, completes every transition now. */
  async advance(ms?: number): Promise<void> {
    await this.request('POST', 'advance', ms === undefined ? {} : { ms });
  }

  /** Whether CreateUpdatedImage finds an update for this AppStream image (none does until told). */
  async setAppStreamUpdate(imageName: string, available: boolean, scope: Partial<Scope> = {}): Promise<void> {
    await this.request('POST', 'appstream/updates', { imageName, available, ...scope });
  }

  /**
   * The AppStream fleet's next StartFleet (or the start under way) ends STOPPED with `errorCode` (a FleetErrorCode,
   * INTERNAL_SERVICE_ERROR unless given) in FleetErrors, instead of RUNNING. Throws if the fleet does not exist.
   */
  failFleetStart(fleetName: string, options: Omit<FleetStartFailureInput, 'fleetName'> = {}): Promise<FleetStartFailureAnswer> {
    return this.request('POST', 'appstream/fleet-start-failure', { fleetName, ...options });
  }

  /**
   * How the next `count` Run Command invocations of a document (on `instanceId`, and/or whose parameters contain
   * `parametersContain`) end: Success or Failed (with `exitCode`, default 1) with `stdout`/`stderr`, or TimedOut,
   * after `durationMs`. Unmatched invocations succeed with no output.
   */
  async planCommandOutcome(outcome: CommandOutcomeInput): Promise<void> {
    await this.request('POST', 'ssm/command-outcomes', outcome);
  }

  /** The outcomes planned in an account and Region and not used yet, oldest first. */
  async commandOutcomes(scope: Partial<Scope> = {}): Promise<OutcomePlan[]> {
    const query = scopeQuery(scope);
    const path = query.size === 0 ? 'ssm/command-outcomes' : `ssm/command-outcomes?${query}`;
    return (await this.request<{ outcomes: OutcomePlan[] }>('GET', path)).outcomes;
  }

  /** Forgets every planned outcome, in every account and Region. */
  async clearCommandOutcomes(): Promise<void> {
    await this.request('DELETE', 'ssm/command-outcomes');
  }

  /** Takes an instance's SSM Agent offline or back online; or, with `next: true`, the next instance's agent never comes online. */
  async setSsmAgent(setting: AgentSettingInput): Promise<void> {
    await this.request('POST', 'ssm/agents', setting);
  }

  /** Publishes a newer base AMI of `platform` in `region` (default us-east-1) and points AWS's public parameters at it. */
  publishBaseImage(platform: 'windows' | 'linux', region?: string): Promise<PublishedBaseImage> {
    return this.request('POST', 'base-images', { platform, region });
  }

  /**
   * An instance of an Auto Scaling group fails its health check from now on (`instanceId`); or, with
   * `next: true`, the next instance an instance refresh launches (in `group`, or in any group) does once in service.
   */
  setInstanceUnhealthy(input: UnhealthyInput): Promise<UnhealthyAnswer> {
    return this.request('POST', 'autoscaling/unhealthy', input);
  }

  /** Puts a CloudWatch alarm into a state (ALARM, OK or INSUFFICIENT_DATA), as SetAlarmState would. */
  async setAlarmState(input: AlarmStateInput): Promise<void> {
    await this.request('POST', 'cloudwatch/alarm-state', input);
  }

  /** What SNS delivered from each topic of one account and Region (or only `topicArn`'s), oldest first. */
  snsMessages(options: Partial<Scope> & { topicArn?: string } = {}): Promise<SnsMessageLog> {
    const query = scopeQuery(options);
    return this.request('GET', query.size === 0 ? 'sns/messages' : `sns/messages?${query}`);
  }

  /** One account's resources in one Region: the default ones unless `scope` says otherwise. */
  state(scope: Partial<Scope> = {}): Promise<StateDump> {
    const query = scopeQuery(scope);
    return this.request('GET', query.size === 0 ? 'state' : `state?${query}`);
  }

  private async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(this.base + path, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = (await response.json()) as T & { error?: string };
    if (!response.ok) throw new Error(`sandbox admin ${method} ${path}: HTTP ${response.status}: ${json.error ?? ''}`);
    return json;
  }
}

/** The options that are given, as a query string's parameters. */
function scopeQuery(scope: Partial<Scope> & Record<string, string | undefined>): URLSearchParams {
  return new URLSearchParams(Object.entries(scope).filter((e): e is [string, string] => e[1] !== undefined));
}
