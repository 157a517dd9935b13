import type { CallCounts } from './core/calls';
import type { SandboxConfig, SandboxConfigOverrides } from './core/config';
import type { FailureInput } from './core/failures';
import type { FaultInput } from './core/faults';
import type { Scope } from './core/state';
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

function scopeQuery(scope: Partial<Scope>): URLSearchParams {
  return new URLSearchParams(Object.entries(scope).filter((e): e is [string, string] => e[1] !== undefined));
}
