/**
 * Builds the AWS clients the activities use. Credentials and Region come from the SDK's default
 * provider chain; AWS_ENDPOINT_URL (or AWS_ENDPOINT_URL_EC2 / _APPSTREAM / …) points them at the sandbox.
 * Timeouts are explicit so that a call that never answers is cut off and retried, not hung forever.
 *
 * The worker's own Region and account are home. Other Regions and accounts are places (contracts/place.ts):
 * their clients are built on first use and kept, and for another account the worker assumes the named
 * role with its own credentials. Assumed credentials live only here, in memory, refreshed before they
 * expire: never in a workflow's input, history, logs or errors.
 */
import { AppStreamClient } from '@aws-sdk/client-appstream';
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { EC2Client } from '@aws-sdk/client-ec2';
import { KMSClient } from '@aws-sdk/client-kms';
import { SNSClient } from '@aws-sdk/client-sns';
import { SSMClient } from '@aws-sdk/client-ssm';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { roleAccount, type Place } from '../../contracts/place';
import { traceAwsCalls } from './call-spans';

/** The clients for one Region of one account. */
export interface PlacedClients {
  ec2: EC2Client;
  ssm: SSMClient;
  /**
   * SSM without the SDK's own retry, for SendCommand, which has no client token: a resend after a lost
   * answer would run the step twice, so only the activity retries it, after looking for the command first.
   */
  ssmOnce: SSMClient;
  kms: KMSClient;
  autoscaling: AutoScalingClient;
  cloudwatch: CloudWatchClient;
  appstream: AppStreamClient;
  /** For notifications to SNS topics (activities/notify). */
  sns: SNSClient;
}

export interface AwsClients {
  /** Home: the worker's own Region and account. */
  ec2: EC2Client;
  appstream: AppStreamClient;
  /** The clients for a place; home for a place with neither Region nor role. */
  at(place?: Place): PlacedClients;
  /** STS in the home Region, with the worker's own credentials. */
  sts: STSClient;
  /** The home Region, as the SDK resolved it. */
  homeRegion(): Promise<string>;
}

interface AwsClientOptions {
  region?: string;
  endpoint?: string;
  /** For tests against the sandbox; production uses the default provider chain. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  requestTimeoutMs?: number;
  maxAttempts?: number;
  /** A span per call (call-spans.ts), for a worker with tracing on; off, the clients carry no tracing middleware. */
  tracing?: boolean;
}

/** Places whose clients are kept; beyond this the least recently built are closed. */
const MAX_PLACES = 256;
/** Assumed credentials are renewed this long before they expire, so no call is signed with stale ones. */
const RENEW_BEFORE_MS = 5 * 60_000;
/** The session a worker's shared watchers use in other accounts: they only describe. */
export const WATCH_SESSION = 'golden-image-watch';

export function createAwsClients(options: AwsClientOptions = {}): AwsClients {
  const config = (region: string | undefined, credentials?: AwsCredentialIdentityProvider, maxAttempts = options.maxAttempts ?? 2) => ({
    region,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(credentials ? { credentials } : options.credentials ? { credentials: options.credentials } : {}),
    // The SDK retries a throttled or failed request once more itself; beyond that the activity's retry
    // policy takes over, where each attempt shows in the Temporal UI.
    maxAttempts,
    requestHandler: new NodeHttpHandler({
      connectionTimeout: 5_000,
      requestTimeout: options.requestTimeoutMs ?? 10_000,
      // Without this the handler only logs a warning at the timeout and keeps waiting: a call that
      // never answers must fail, so that it is retried (and cannot hold up the shared watcher).
      throwOnRequestTimeout: true,
    }),
  });
  const homeRegionOption = options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  const home = config(homeRegionOption);
  const traced = <C extends Parameters<typeof traceAwsCalls>[0]>(client: C, account?: string) =>
    options.tracing ? traceAwsCalls(client, account) : client;
  const sts = traced(new STSClient(home));
  const placed = (region: string | undefined, credentials?: AwsCredentialIdentityProvider, account?: string): PlacedClients => {
    const c = config(region, credentials);
    return {
      ec2: traced(new EC2Client(c), account),
      ssm: traced(new SSMClient(c), account),
      ssmOnce: traced(new SSMClient(config(region, credentials, 1)), account),
      kms: traced(new KMSClient(c), account),
      autoscaling: traced(new AutoScalingClient(c), account),
      cloudwatch: traced(new CloudWatchClient(c), account),
      appstream: traced(new AppStreamClient(c), account),
      sns: traced(new SNSClient(c), account),
    };
  };
  const homeClients: PlacedClients = placed(homeRegionOption);
  const places = new Map<string, PlacedClients>();
  // One set of assumed credentials per role and session, shared by that account's clients in every Region.
  const roles = new Map<string, AwsCredentialIdentityProvider>();
  const roleCredentials = (roleArn: string, session: string) => {
    const key = `${roleArn}|${session}`;
    let provider = roles.get(key);
    if (!provider) {
      roles.set(key, (provider = assumedRole(sts, roleArn, session)));
      if (roles.size > MAX_PLACES) roles.delete(roles.keys().next().value!);
    }
    return provider;
  };

  return {
    ec2: homeClients.ec2,
    appstream: homeClients.appstream,
    sts,
    homeRegion: () => homeClients.ec2.config.region(),
    at(place = {}) {
      if (!place.region && !place.roleArn) return homeClients;
      const key = `${place.roleArn ?? ''}|${place.roleArn ? (place.session ?? WATCH_SESSION) : ''}|${place.region ?? ''}`;
      let clients = places.get(key);
      if (!clients) {
        const credentials = place.roleArn ? roleCredentials(place.roleArn, place.session ?? WATCH_SESSION) : undefined;
        clients = placed(place.region ?? homeRegionOption, credentials, place.roleArn && roleAccount(place.roleArn));
        places.set(key, clients);
        if (places.size > MAX_PLACES) {
          const [oldestKey, oldest] = places.entries().next().value!;
          places.delete(oldestKey);
          for (const client of Object.values(oldest)) client.destroy();
        }
      } else {
        // Most recently used last, so that the oldest entry is the one to close.
        places.delete(key);
        places.set(key, clients);
      }
      return clients;
    },
  };
}

/**
 * Credentials for `roleArn`, from STS AssumeRole with the worker's own credentials: asked once, shared
 * by every call until shortly before they expire. An AssumeRole refused (AccessDenied) fails the call
 * that needed it with STS's code and message, which name the role, never a secret.
 */
function assumedRole(sts: STSClient, roleArn: string, session: string): AwsCredentialIdentityProvider {
  let current: (AwsCredentialIdentity & { expiration: Date }) | undefined;
  let asking: Promise<AwsCredentialIdentity & { expiration: Date }> | undefined;
  return async () => {
    if (current && current.expiration.getTime() - Date.now() > RENEW_BEFORE_MS) return current;
    asking ??= sts
      .send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: session }))
      .then((out) => {
        const c = out.Credentials;
        if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken || !c.Expiration) {
          throw new Error(`AssumeRole ${roleArn} returned no credentials`);
        }
        current = {
          accessKeyId: c.AccessKeyId,
          secretAccessKey: c.SecretAccessKey,
          sessionToken: c.SessionToken,
          expiration: c.Expiration,
        };
        return current;
      })
      .finally(() => (asking = undefined));
    return asking;
  };
}
