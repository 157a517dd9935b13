/** The sandbox's state machines, each of which takes a configurable time. */
export const DURATION_KINDS = [
  /** RunInstances and StartInstances: pending → running (also shutting-down → terminated). */
  'instance',
  /** StopInstances: stopping → stopped. */
  'instanceStopping',
  /** CreateImage: pending → available. */
  'image',
  /** CopyImage: the copy's pending → available, in the destination Region. */
  'copyImage',
  /** EnableFastLaunch: enabling → enabled. */
  'fastLaunch',
  /** DisableFastLaunch: disabling → disabled (then the image drops out of DescribeFastLaunchImages). */
  'fastLaunchDisable',
  /** Replace-root-volume task: time spent in pending. */
  'replaceRootVolumePending',
  /** Replace-root-volume task: time spent in in-progress. */
  'replaceRootVolumeInProgress',
  /** AppStream image: PENDING → AVAILABLE. */
  'appStreamImage',
  /** AppStream image builder: each transition (PENDING → RUNNING, STOPPING → STOPPED, …). */
  'builderTransition',
  /** AppStream CopyImage: the copy's COPYING → AVAILABLE, in the destination Region. */
  'appStreamCopy',
  /** AppStream StartFleet: STARTING → RUNNING (or STOPPED, for a start that fails). */
  'fleetStart',
  /** AppStream StopFleet: STOPPING → STOPPED. */
  'fleetStop',
  /** SSM Agent: from its instance entering running to PingStatus Online (after a restart too). */
  'ssmAgent',
  /** Run Command: an invocation's Pending → InProgress once its instance's agent is online. */
  'commandDelivery',
  /** Run Command: InProgress → the end of the run, unless an admin outcome gives another duration. */
  'command',
  /** Auto Scaling instance refresh: Pending → InProgress. */
  'instanceRefreshStart',
  /**
   * Auto Scaling instance refresh: how long one second of the waits its caller asks for in seconds lasts
   * (InstanceWarmup, CheckpointDelay, BakeTime), so that a refresh keeps their proportions in every profile.
   */
  'instanceRefreshSecond',
] as const;

export type DurationKind = (typeof DURATION_KINDS)[number];

/** How long each sandbox state machine takes, in milliseconds. */
export type Durations = Record<DurationKind, number>;

export type ProfileName = 'test' | 'demo' | 'realistic';

export interface Profile {
  durations: Durations;
  /**
   * How long a new resource stays invisible to describes (EC2's eventual consistency): EC2 images,
   * instances, snapshots, fast-launch settings and replace-root-volume tasks, and AppStream images.
   */
  notFoundWindowMs: number;
  /** How long DescribeImages by ID still shows a deregistered AMI (AWS: "a short interval"; it publishes no figure). */
  deregisteredImageVisibleMs: number;
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;

export const PROFILES: Readonly<Record<ProfileName, Profile>> = {
  // Fast enough for unit tests, slow enough that a poller sees "pending" first.
  test: {
    durations: {
      instance: 200,
      instanceStopping: 300,
      image: 1500,
      copyImage: 1000,
      fastLaunch: 1500,
      fastLaunchDisable: 300,
      replaceRootVolumePending: 300,
      replaceRootVolumeInProgress: 700,
      appStreamImage: 1500,
      builderTransition: 500,
      appStreamCopy: 1000,
      fleetStart: 500,
      fleetStop: 300,
      ssmAgent: 300,
      commandDelivery: 100,
      command: 400,
      instanceRefreshStart: 100,
      // A five-minute warm-up takes 1.5 s, a ten-minute checkpoint delay 3 s.
      instanceRefreshSecond: 5,
    },
    notFoundWindowMs: 0,
    deregisteredImageVisibleMs: 1 * SECOND,
  },
  // For watching a pipeline live in the Temporal UI.
  demo: {
    durations: {
      instance: 2 * SECOND,
      instanceStopping: 5 * SECOND,
      image: 20 * SECOND,
      copyImage: 30 * SECOND,
      fastLaunch: 30 * SECOND,
      fastLaunchDisable: 5 * SECOND,
      replaceRootVolumePending: 3 * SECOND,
      replaceRootVolumeInProgress: 10 * SECOND,
      appStreamImage: 30 * SECOND,
      builderTransition: 10 * SECOND,
      appStreamCopy: 30 * SECOND,
      fleetStart: 15 * SECOND,
      fleetStop: 5 * SECOND,
      ssmAgent: 5 * SECOND,
      commandDelivery: 1 * SECOND,
      command: 8 * SECOND,
      instanceRefreshStart: 2 * SECOND,
      // A five-minute warm-up takes 15 s.
      instanceRefreshSecond: 50,
    },
    notFoundWindowMs: 2 * SECOND,
    deregisteredImageVisibleMs: 1 * MINUTE,
  },
  // Roughly what AWS takes for a Windows image, for benchmarks of polling cost.
  realistic: {
    durations: {
      instance: 30 * SECOND,
      // The OS shuts down first: well under a minute for Linux, longer for Windows.
      instanceStopping: 1 * MINUTE,
      image: 8 * MINUTE,
      // AWS copies on a best-effort basis; a Windows AMI's cross-Region copy commonly takes 10–20 minutes.
      copyImage: 12 * MINUTE,
      fastLaunch: 45 * MINUTE,
      fastLaunchDisable: 5 * MINUTE,
      replaceRootVolumePending: 1 * MINUTE,
      replaceRootVolumeInProgress: 4 * MINUTE,
      appStreamImage: 40 * MINUTE,
      builderTransition: 5 * MINUTE,
      // An AppStream image is copied as a whole Windows volume, like an AMI: tens of minutes.
      appStreamCopy: 25 * MINUTE,
      // AWS: a fleet takes about 10 to 20 minutes to start; stopping takes a few.
      fleetStart: 15 * MINUTE,
      fleetStop: 5 * MINUTE,
      // An agent registers once its instance has booted: about a minute on Linux, several on Windows.
      ssmAgent: 3 * MINUTE,
      commandDelivery: 2 * SECOND,
      // A configuration script; patching takes longer, which an admin outcome's durationMs can say.
      command: 3 * MINUTE,
      // AWS starts a refresh within seconds to a minute.
      instanceRefreshStart: 30 * SECOND,
      // The waits the caller asked for, as asked.
      instanceRefreshSecond: 1 * SECOND,
    },
    notFoundWindowMs: 2 * SECOND,
    deregisteredImageVisibleMs: 15 * MINUTE,
  },
};

export const PROFILE_NAMES = Object.keys(PROFILES) as ProfileName[];
