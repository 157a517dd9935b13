/**
 * @golden-image/aws-sandbox: a local AWS (EC2, AppStream 2.0, SSM, KMS, STS, Auto Scaling, CloudWatch, SNS) on one loopback port, checking SigV4 signatures,
 * with an admin API for tests, benchmarks and the dev stack. This is its public API.
 */
export { createSandbox, type RunningSandbox } from './server';
export { SandboxAdmin } from './admin-client';
export { send as sendRawRequest, sign as signRawRequest, type RawRequest } from './raw-signing';
export type { ScopeDump, StateDump } from './state-dump';
export { AWS_ACCOUNT_ID, DEFAULT_ACCOUNT_ID, DEFAULT_REGION, type Scope } from './core/state';
export type { SandboxConfigOverrides } from './core/config';
export { SANDBOX_ACCESS_KEYS, SANDBOX_CREDENTIALS, type AccessKey, type Caller } from './core/access-keys';
export { PROFILE_NAMES, type Durations, type ProfileName } from './core/profiles';
export type { CallCount, CallCounts } from './core/calls';
export type { FaultInput } from './core/faults';
export type { PublishedBaseImage, UnhealthyAnswer } from './admin';
export type { UnhealthyInput } from './autoscaling/instance-health';
export type { AutoScalingDump } from './autoscaling/dump';
export type { AlarmStateInput } from './cloudwatch/alarms';
export type { CloudWatchDump } from './cloudwatch/dump';
export type { PublishedMessage } from './sns/state';
export type { SnsMessageLog } from './sns/publish';
export type { AgentSettingInput } from './ssm/agents';
export type { FleetStartFailureAnswer, FleetStartFailureInput } from './appstream/fleet-start-failures';
export type { CommandOutcomeInput } from './ssm/command-outcomes';
export { PUBLIC_IMAGE_PARAMETERS } from './ssm/public-parameters';
export { FAST_LAUNCH_TEMPLATE_ID, FAST_LAUNCH_TEMPLATE_NAME, LINUX_BASE_AMI_ID, WINDOWS_BASE_AMI_ID } from './ec2/seed';
export {
  APPSTREAM_ALWAYS_ON_FLEET,
  APPSTREAM_ELASTIC_FLEET,
  APPSTREAM_GOLDEN_IMAGE_NAME,
  APPSTREAM_ON_DEMAND_FLEET,
  APPSTREAM_WINDOWS_2019_BASE_IMAGE_NAME,
  APPSTREAM_WINDOWS_2022_BASE_IMAGE_NAME,
} from './appstream/seed';
