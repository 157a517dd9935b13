import type { Caller } from '../core/access-keys';
import type { ServiceContext } from '../core/service';
import type { Chronicle, Scope } from '../core/state';
import type { Timeline } from '../core/timeline';

/**
 * SSM in one account and Region: Parameter Store's parameters, each with its version history, and Run
 * Command's commands, the agents of the account's instances and the outcomes planned for its commands.
 */

export type ParameterType = 'String' | 'StringList' | 'SecureString';
export type ParameterTier = 'Standard' | 'Advanced';

/** One version, as GetParameterHistory lists it; GetParameter reads the newest. */
export interface ParameterVersion {
  version: number;
  type: ParameterType;
  /** As given: the sandbox does not encrypt SecureString values, it only answers as if it did. */
  value: string;
  dataType: string;
  tier: ParameterTier;
  description?: string;
  allowedPattern?: string;
  /** SecureString only: the KMS key, as given (default `alias/aws/ssm`). */
  keyId?: string;
  /** Virtual time (ms). */
  modifiedAt: number;
  modifiedBy: string;
}

export interface ParameterRecord {
  name: string;
  /** Oldest first; at most MAX_VERSIONS, the oldest dropped beyond that as AWS does. */
  versions: ParameterVersion[];
  /** The next version number: numbers are never reused, even after old versions are dropped. */
  nextVersion: number;
  tags: Map<string, string>;
}

/** The platforms of the sandbox's instances, as EC2 records them. */
export type NodePlatform = 'windows' | 'linux';

/** How a run ends when it runs its course: as planned through the admin API (command-outcomes.ts), or Success. */
export interface PlannedRun {
  status: 'Success' | 'Failed' | 'TimedOut';
  exitCode: number;
  stdout: string;
  stderr: string;
  /** How long the run takes once delivered (virtual ms). */
  runMs: number;
}

/**
 * An invocation's StatusDetails, the finer of its two statuses (GetCommandInvocation's Status follows from it):
 * the states of its lifecycle.
 */
export type InvocationDetail =
  'Pending' | 'In Progress' | 'Success' | 'Failed' | 'Execution Timed Out' | 'Delivery Timed Out' | 'Cancelled';

/** One command on one instance. */
export interface InvocationRecord {
  instanceId: string;
  platform: NodePlatform;
  run: PlannedRun;
  lifecycle: Timeline<InvocationDetail>;
  /** TimeoutSeconds after the request: a command not delivered by then never runs. */
  deliverBy: number;
  /** The document's execution timeout: a run that lasts longer ends Execution Timed Out. */
  executionTimeoutMs: number;
  /** Whether the current plan has the command delivered (else it waits for the agent), and when that plan was made. */
  delivered: boolean;
  plannedAt: number;
  /** Why the run ended early: its instance shut down under it, or CancelCommand. */
  cutShort?: 'shutdown' | 'cancel';
}

export interface CommandRecord {
  /** Creation order; listings give the newest first. */
  seq: number;
  commandId: string;
  documentName: string;
  /** As the request gave it ('' if it did not). */
  documentVersion: string;
  comment: string;
  parameters: Record<string, string[]>;
  instanceIds: string[];
  timeoutSeconds: number;
  maxConcurrency: string;
  maxErrors: string;
  outputS3BucketName: string;
  outputS3KeyPrefix: string;
  requestedAt: number;
  expiresAfter: number;
  /** By instance ID, in the request's order. */
  invocations: Map<string, InvocationRecord>;
  /** Run Command's eventual consistency: GetCommandInvocation does not find the command until it is visible. */
  visibility: Timeline<'hidden' | 'visible'>;
}

/** The SSM Agent of one instance, made when SSM first sees the instance. */
export interface AgentRecord {
  instanceId: string;
  /** How long after its instance enters running the agent is online. */
  delayMs: number;
  /** Set while the admin API keeps the agent from reaching SSM (0: it never did); the agent is healthy otherwise. */
  offlineSince?: number;
}

/** `POST /_sandbox/ssm/agents {next: true}`: the agent of the first instance launched after `afterSeq` is never online. */
export interface AgentPlan {
  afterSeq: number;
}

/** An admin outcome waiting for a command it matches (command-outcomes.ts). */
export interface OutcomePlan {
  documentName: string;
  instanceId?: string;
  parametersContain?: string;
  status: PlannedRun['status'];
  exitCode?: number;
  stdout: string;
  stderr: string;
  durationMs?: number;
  /** How many more invocations it applies to. */
  count: number;
}

export class SsmResources {
  readonly parameters = new Map<string, ParameterRecord>();
  readonly commands = new Map<string, CommandRecord>();
  readonly agents = new Map<string, AgentRecord>();
  readonly agentPlans: AgentPlan[] = [];
  readonly outcomePlans: OutcomePlan[] = [];
}

/** An EC2 instance as Run Command sees it: the machine an agent runs on. */
export interface ManagedNode {
  id: string;
  /** EC2's creation sequence: which instances came after an admin plan. */
  seq: number;
  platform: NodePlatform;
  privateIpAddress: string;
  privateDnsName: string;
  tags: ReadonlyMap<string, string>;
  /** The instance states (pending, running, stopping, stopped, shutting-down, terminated) entered by `now`, oldest first. */
  history(now: number): readonly { state: string; at: number }[];
}

/**
 * What SSM asks of other services. The composition root (sandbox.ts) answers from EC2's and KMS's state,
 * so that ssm/ imports neither.
 */
export interface SsmNeighbours {
  /** Whether the account can use image `imageId` in its Region, as an `aws:ec2:image` value must name one. */
  usableImage(imageId: string): boolean;
  /** Whether `caller` may encrypt with the KMS key `keyId` names (key ID, key ARN, alias name or alias ARN). */
  encryptionKeyUsable(caller: Caller, keyId: string): boolean;
  /** The account's EC2 instances in its Region, in launch order. */
  managedNodes(): ManagedNode[];
  /** AWS's public parameters (`/aws/service/…`) in the caller's Region. */
  publicParameters(): ReadonlyMap<string, ParameterRecord>;
}

export interface SsmState extends Chronicle, SsmNeighbours {
  /** The caller's account and Region. */
  readonly scope: Scope;
  readonly ssm: SsmResources;
}

export type SsmContext = ServiceContext<SsmState>;
