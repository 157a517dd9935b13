import { AppStreamResources, type AppStreamState } from './appstream/state';
import { seedAppStreamImages } from './appstream/seed';
import { CallCounter } from './core/calls';
import { VirtualClock } from './core/clock';
import { ConfigStore, type SandboxConfig, type SandboxConfigOverrides } from './core/config';
import { FailurePlans } from './core/failures';
import { FaultInjector, type ServiceName } from './core/faults';
import { SharedState } from './core/state';
import { Throttler } from './core/throttle';
import { seedBaseImages, seedLaunchTemplates } from './ec2/seed';
import { Ec2Resources, type Ec2State } from './ec2/state';

/** Every resource the sandbox holds: the shared clock and sequence, and each service's own resources. */
export class SandboxState extends SharedState implements Ec2State, AppStreamState {
  readonly ec2 = new Ec2Resources();
  /** AppStream 2.0 images, image builders and update availability. */
  readonly appStream = new AppStreamResources();
}

/** The sandbox's whole in-memory world, independent of HTTP. */
export class Sandbox {
  readonly clock = new VirtualClock();
  readonly config: ConfigStore;
  readonly calls = new CallCounter();
  readonly faults = new FaultInjector();
  readonly failures = new FailurePlans();
  readonly throttlers: Record<ServiceName, Throttler>;
  /** Replaced wholesale on reset. */
  state: SandboxState;

  constructor(initial: SandboxConfigOverrides = {}) {
    this.config = new ConfigStore(initial);
    const throttling = this.config.current().throttling;
    this.throttlers = { ec2: new Throttler(throttling), appstream: new Throttler(throttling) };
    this.state = this.freshState();
  }

  /** Clears every resource, count, fault and bucket; reseeds; applies `overrides` to the initial config. */
  reset(overrides: SandboxConfigOverrides = {}): SandboxConfig {
    const config = this.config.reset(overrides);
    this.clock.reset();
    this.calls.reset();
    this.faults.clear();
    this.failures.clear();
    this.applyThrottling(config);
    this.state = this.freshState();
    return config;
  }

  configure(overrides: SandboxConfigOverrides): SandboxConfig {
    const config = this.config.merge(overrides);
    if (overrides.throttling) this.applyThrottling(config);
    return config;
  }

  private applyThrottling(config: SandboxConfig): void {
    for (const throttler of Object.values(this.throttlers)) throttler.configure(config.throttling);
  }

  private freshState(): SandboxState {
    const state = new SandboxState(this.clock);
    seedBaseImages(state);
    seedLaunchTemplates(state);
    seedAppStreamImages(state);
    return state;
  }
}
