import { AppStreamResources, type AppStreamState } from './appstream/state';
import { cloudWatchAlarmBoard, ec2InstanceFleet } from './auto-scaling-neighbours';
import type { AlarmBoard, InstanceFleet } from './autoscaling/neighbours';
import { settleAutoScaling } from './autoscaling/refresh-engine';
import { AutoScalingResources, type AutoScalingState } from './autoscaling/state';
import { CloudWatchResources, type CloudWatchState } from './cloudwatch/state';
import { SnsResources, type SnsState } from './sns/state';
import { seedAppStreamFleets, seedAppStreamImages } from './appstream/seed';
import type { Caller } from './core/access-keys';
import { CallCounter } from './core/calls';
import { VirtualClock } from './core/clock';
import { ConfigStore, type SandboxConfig, type SandboxConfigOverrides } from './core/config';
import { ScopedFailurePlans } from './core/failures';
import { FaultInjector, SERVICE_NAMES, type ServiceName } from './core/faults';
import { AWS_ACCOUNT_ID, DEFAULT_SCOPE, scopeKey, SharedState, type Scope } from './core/state';
import type { Timeline } from './core/timeline';
import { Throttler } from './core/throttle';
import { findUsableImage } from './ec2/image-access';
import { privateDnsName } from './ec2/instance-details';
import { seedBaseImages, seedLaunchTemplates } from './ec2/seed';
import { Ec2Resources, type Ec2State } from './ec2/state';
import { resolveKey } from './kms/keys';
import { SandboxSnapshots } from './persistence/sandbox-snapshots';
import { pointPublicParameters } from './ssm/public-parameters';
import { SsmResources, type ManagedNode, type ParameterRecord, type SsmState } from './ssm/state';
import { StsSessions } from './sts/sessions';
import type { StsState } from './sts/service';

/** One account's resources in one Region, for every service. Plain data: the scope's labels and its maps. */
export interface ScopeResources extends Scope {
  readonly ec2: Ec2Resources;
  /** AppStream 2.0 images, image builders, fleets and update availability. */
  readonly appStream: AppStreamResources;
  /** SSM Parameter Store parameters. */
  readonly ssm: SsmResources;
  /** Auto Scaling groups and instance refreshes. */
  readonly autoScaling: AutoScalingResources;
  /** CloudWatch metric alarms. */
  readonly cloudWatch: CloudWatchResources;
  /** SNS topics and what was published to them. */
  readonly sns: SnsResources;
}

function emptyResources(scope: Scope): ScopeResources {
  return {
    accountId: scope.accountId,
    region: scope.region,
    ec2: new Ec2Resources(),
    appStream: new AppStreamResources(),
    ssm: new SsmResources(),
    autoScaling: new AutoScalingResources(),
    cloudWatch: new CloudWatchResources(),
    sns: new SnsResources(),
  };
}

/**
 * Every resource the sandbox holds: the shared clock and sequence, and each account's resources in each
 * Region (`<account>/<region>`), created when first used. A Region is seeded with AWS's public
 * resources (owned by AWS_ACCOUNT_ID) the first time any account uses it.
 */
export class SandboxState extends SharedState {
  readonly scopes = new Map<string, ScopeResources>();
  /** STS's temporary credentials, valid in every Region. */
  readonly stsSessions = new StsSessions();

  /**
   * The view actions get: `scope`'s own resources, and its Region's for what others share; Auto Scaling's
   * instance refreshes there have caught up with the clock (they act on EC2's instances as time passes).
   */
  view(scope: Scope): ScopedState {
    this.seedRegion(scope.region);
    return settled(new ScopedState(this, this.resources(scope)));
  }

  /** A view of `scope` for reading (the admin API's dumps): one that holds nothing yet is left unrecorded. */
  peek(scope: Scope): ScopedState {
    const own = this.scopes.get(scopeKey(scope)) ?? emptyResources(scope);
    return settled(new ScopedState(this, own));
  }

  /** Resources of services a snapshot saved before they existed start empty. */
  completeScopes(): void {
    for (const [key, own] of this.scopes) this.scopes.set(key, { ...emptyResources(own), ...own });
  }

  /** Every account's resources in `region`. */
  inRegion(region: string): ScopeResources[] {
    return [...this.scopes.values()].filter((s) => s.region === region);
  }

  private resources(scope: Scope): ScopeResources {
    const key = scopeKey(scope);
    let resources = this.scopes.get(key);
    if (!resources) {
      resources = emptyResources(scope);
      this.scopes.set(key, resources);
    }
    return resources;
  }

  seedRegion(region: string): void {
    const aws = { accountId: AWS_ACCOUNT_ID, region };
    if (this.scopes.has(scopeKey(aws))) return;
    const view = new ScopedState(this, this.resources(aws));
    const images = seedBaseImages(view);
    for (const image of Object.values(images)) pointPublicParameters(view, image.platform, image.id, image.createdAt);
    seedAppStreamImages(view);
  }
}

function settled(view: ScopedState): ScopedState {
  settleAutoScaling(view);
  return view;
}

/** One account in one Region, as its requests see the sandbox; made per request, holding nothing of its own. */
export class ScopedState implements Ec2State, AppStreamState, SsmState, StsState, AutoScalingState, CloudWatchState, SnsState {
  readonly scope: Scope;
  readonly ec2: Ec2Resources;
  readonly appStream: AppStreamResources;
  readonly ssm: SsmResources;
  readonly autoScaling: AutoScalingResources;
  readonly cloudWatch: CloudWatchResources;
  readonly sns: SnsResources;
  /** Auto Scaling's questions to EC2 and CloudWatch in this account and Region. */
  readonly instanceFleet: InstanceFleet = ec2InstanceFleet(this);
  readonly alarmBoard: AlarmBoard = cloudWatchAlarmBoard(this);

  constructor(
    readonly shared: SandboxState,
    own: ScopeResources,
  ) {
    this.scope = { accountId: own.accountId, region: own.region };
    this.ec2 = own.ec2;
    this.appStream = own.appStream;
    this.ssm = own.ssm;
    this.autoScaling = own.autoScaling;
    this.cloudWatch = own.cloudWatch;
    this.sns = own.sns;
  }

  get stsSessions(): StsSessions {
    return this.shared.stsSessions;
  }

  get clock(): VirtualClock {
    return this.shared.clock;
  }

  nextSeq(): number {
    return this.shared.nextSeq();
  }

  timeline<S extends string>(first: S, at?: number): Timeline<S> {
    return this.shared.timeline(first, at);
  }

  regionEc2(region = this.scope.region): Ec2Resources[] {
    // The caller's own Region was seeded when its view was made; another one may be new.
    if (region !== this.scope.region) this.shared.seedRegion(region);
    return this.shared.inRegion(region).map((s) => s.ec2);
  }

  regionAppStream(): Map<string, AppStreamResources> {
    return new Map(this.shared.inRegion(this.scope.region).map((s) => [s.accountId, s.appStream]));
  }

  ownAppStreamIn(region: string): AppStreamResources {
    return this.shared.view({ accountId: this.scope.accountId, region }).appStream;
  }

  /** SSM's question to EC2: a deregistered image is still found for a while, but can no longer be used. */
  usableImage(imageId: string): boolean {
    const image = findUsableImage(this, imageId);
    return image !== undefined && !image.deregistered;
  }

  /** SSM's question to EC2: the instances whose agents Run Command talks to. */
  managedNodes(): ManagedNode[] {
    return [...this.ec2.instances.values()]
      .sort((a, b) => a.seq - b.seq)
      .map((i) => ({
        id: i.id,
        seq: i.seq,
        platform: i.platform,
        privateIpAddress: i.privateIpAddress,
        privateDnsName: privateDnsName(i, this.scope.region),
        tags: i.tags,
        history: (now: number) => i.lifecycle.history(now),
      }));
  }

  /** AWS's public parameters live in AWS's account in each Region, seeded with the Region. */
  publicParameters(): ReadonlyMap<string, ParameterRecord> {
    return this.shared.scopes.get(scopeKey({ accountId: AWS_ACCOUNT_ID, region: this.scope.region }))?.ssm.parameters ?? new Map();
  }

  /** SSM's question to KMS, asked as PutParameter's SecureString encryption would ask it. */
  encryptionKeyUsable(caller: Caller, keyId: string): boolean {
    try {
      resolveKey(caller, keyId, 'kms:Encrypt');
      return true;
    } catch {
      return false;
    }
  }
}

/** The sandbox's whole in-memory world, independent of HTTP. */
export class Sandbox {
  readonly clock = new VirtualClock();
  readonly config: ConfigStore;
  readonly calls = new CallCounter();
  readonly faults = new FaultInjector();
  readonly failures = new ScopedFailurePlans();
  readonly throttlers: Record<ServiceName, Throttler>;
  /** Replaced wholesale on reset and restore. */
  state: SandboxState;
  private readonly snapshots = new SandboxSnapshots(this.clock, () => this.freshState());

  constructor(initial: SandboxConfigOverrides = {}) {
    this.config = new ConfigStore(initial);
    const throttling = this.config.current().throttling;
    this.throttlers = Object.fromEntries(SERVICE_NAMES.map((name) => [name, new Throttler(throttling)])) as Record<ServiceName, Throttler>;
    this.state = this.freshState();
  }

  /**
   * Clears every resource, count, fault and bucket; reseeds; applies `overrides` to the initial config.
   * Credentials STS issued stay valid until they expire, as on AWS, where clearing an account's
   * resources revokes no session: a client holding them (a worker's cached role) keeps working.
   */
  reset(overrides: SandboxConfigOverrides = {}): SandboxConfig {
    const config = this.config.reset(overrides);
    this.clock.reset();
    this.calls.reset();
    this.faults.clear();
    this.failures.clear();
    this.applyThrottling(config);
    const sessions = this.state.stsSessions.keys;
    this.state = this.freshState();
    for (const [id, key] of sessions) this.state.stsSessions.keys.set(id, key);
    return config;
  }

  /** The resources and the clock's offset as text, for a state store (persistence/); restore() reads it back. */
  snapshot(): string {
    return this.snapshots.encode(this.state);
  }

  /**
   * Puts back what snapshot() wrote. The clock's offset (what the admin API advanced) is restored and wall
   * time goes on from where it is now, so a transition whose time passed while the sandbox was stopped is
   * over, and one still under way finishes at the instant it always would have.
   */
  restore(text: string): void {
    const { clockOffsetMs, state } = this.snapshots.decode(text);
    state.completeScopes();
    this.clock.reset();
    this.clock.advance(clockOffsetMs);
    this.state = state;
  }

  configure(overrides: SandboxConfigOverrides): SandboxConfig {
    const config = this.config.merge(overrides);
    if (overrides.throttling) this.applyThrottling(config);
    return config;
  }

  private applyThrottling(config: SandboxConfig): void {
    for (const throttler of Object.values(this.throttlers)) throttler.configure(config.throttling);
  }

  /** AWS's public resources in the default Region, then the default account's demo resources there. */
  private freshState(): SandboxState {
    const state = new SandboxState(this.clock);
    const demo = state.view(DEFAULT_SCOPE);
    seedLaunchTemplates(demo);
    seedAppStreamImages(demo);
    seedAppStreamFleets(demo);
    return state;
  }
}
