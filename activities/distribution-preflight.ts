/**
 * The distribution preflight: what only AWS can say about a pipeline's distribution, fast launch and
 * publish settings, asked before anything is created, with describes only. Every Region must be known
 * and enabled in its account, every KMS key must exist and be enabled where its copy goes, every role
 * must be assumable, and every launch template must exist in a Region that will hold an image of the
 * run. It reports every problem at once, as one non-retryable `InvalidInput` failure with a line per
 * problem naming its place in the config; a transient AWS failure fails it retryably instead.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { FastLaunchSpec, FastLaunchTemplate } from '../contracts/ami-pipeline';
import type { DistributionSpec, PublishSpec } from '../contracts/distribution';
import { roleAccount, type Place } from '../contracts/place';
import type { GovernedPlaces } from '../contracts/rate-lanes';
import type { AwsClients } from './aws/clients';
import { governedPlaces, type RateGovernorSettings } from './aws/rate-governor';
import { classifyAwsError } from './aws/errors';
import { checkLaunchTemplate } from './ec2/fast-launch';
import { describeRegions, regionUnusable, type RegionStatuses } from './ec2/regions';
import { describeKey } from './kms/key';
import { refuseInput } from './input-validation';

export interface PreflightRequest {
  distribution?: DistributionSpec;
  publish?: PublishSpec;
  fastLaunch?: FastLaunchSpec;
  /** The STS session name the run acts under in other accounts (`sessionName` in contracts/place.ts). */
  session: string;
}

export interface PreflightResult {
  /** The build Region: where the image is made. */
  homeRegion: string;
  /** Where else the workers' rate governor has lanes (workflows/rate-governor.ts reads it); null when it is off. */
  governed: GovernedPlaces | null;
}

/** What one check found: nothing, or a problem line. */
type Finding = string | undefined;

/**
 * AWS's reason for refusing a call for good, for a problem line. A transient failure (throttling, 5xx,
 * the network) is thrown on, so that the retry policy asks again rather than blaming the config.
 */
function refusal(err: unknown): string {
  if (!(err instanceof ApplicationFailure) || !err.nonRetryable) throw err;
  const { code, message } = classifyAwsError(err.cause ?? err);
  return `${code}: ${message}`;
}

const ARN_REGION = /^arn:[^:]+:kms:([^:]+):/;

/** Asks each distinct question once, however many entries of the config ask it. */
function askOnce() {
  const asked = new Map<string, Promise<Finding>>();
  return (key: string, ask: () => Promise<Finding>): Promise<Finding> => {
    let answer = asked.get(key);
    if (!answer) asked.set(key, (answer = ask()));
    return answer;
  };
}

export async function preflightDistribution(
  clients: AwsClients,
  request: PreflightRequest,
  governor: RateGovernorSettings | false = false,
): Promise<PreflightResult> {
  const { distribution, publish, fastLaunch, session } = request;
  const homeRegion = await clients.homeRegion();
  const accounts = distribution?.accounts ?? [];
  const copies = distribution?.regions ?? [];

  // One DescribeRegions per account: this one, and each other one through its role, which also proves the role assumable.
  const [homeRegions, ...reached] = await Promise.all([
    describeRegions(clients.ec2),
    ...accounts.map(async (account, i): Promise<RegionStatuses | string> => {
      try {
        return await describeRegions(clients.at({ roleArn: account.roleArn, session, region: homeRegion }).ec2);
      } catch (err) {
        return `distribution.accounts[${i}].roleArn: cannot act in account ${roleAccount(account.roleArn)} through ${account.roleArn}: ${refusal(err)}`;
      }
    }),
  ]);
  const findings: (Finding | Promise<Finding>)[] = [];
  const once = askOnce();

  const keyProblem = async (keyId: string, place: Place & { region: string }): Promise<Finding> => {
    const arnRegion = ARN_REGION.exec(keyId)?.[1];
    // CopyImage encrypts with a key in the destination Region; a key elsewhere would fail the copy.
    if (arnRegion && arnRegion !== place.region) {
      return `${keyId} is in ${arnRegion}: the copy in ${place.region} needs a key in ${place.region}`;
    }
    return once(`key|${place.roleArn ?? ''}|${place.region}|${keyId}`, async () => {
      try {
        const key = await describeKey(clients.at({ ...place, session }).kms, keyId);
        return key.KeyState === 'Enabled' ? undefined : `KMS key ${keyId} in ${place.region} is ${key.KeyState}, not Enabled`;
      } catch (err) {
        return `KMS key ${keyId} in ${place.region}: ${refusal(err)}`;
      }
    });
  };
  const templateProblem = (template: FastLaunchTemplate, region: string): Promise<Finding> =>
    once(`template|${region}|${template.id ?? template.name}`, async () => {
      try {
        await checkLaunchTemplate(clients.at({ region }).ec2, template);
        return undefined;
      } catch (err) {
        return `launch template ${template.id ?? template.name} in ${region}: ${refusal(err)}`;
      }
    });
  const labelled = (path: string, problem: Promise<Finding>) => problem.then((p) => p && `${path}: ${p}`);

  // Copies in this account: not the build Region, known and enabled, and each key usable there.
  const usable = new Set([homeRegion]);
  for (const [i, copy] of copies.entries()) {
    const path = `distribution.regions[${i}]`;
    const unusable =
      copy.region === homeRegion
        ? `${homeRegion} is the build Region, where the image is made: list only the Regions to copy it to`
        : regionUnusable(homeRegions, copy.region, 'this account');
    if (unusable) {
      findings.push(`${path}.region: ${unusable}`);
      continue;
    }
    usable.add(copy.region);
    if (copy.kmsKeyId) findings.push(labelled(`${path}.kmsKeyId`, keyProblem(copy.kmsKeyId, { region: copy.region })));
  }

  // Copies in other accounts: each Region enabled in that account, and the key usable there through the role.
  for (const [i, account] of accounts.entries()) {
    const regions = reached[i]!;
    if (typeof regions === 'string') {
      findings.push(regions); // the role is refused, so nothing more can be asked there
      continue;
    }
    for (const [j, region] of account.regions.entries()) {
      const unusable = regionUnusable(regions, region, `account ${roleAccount(account.roleArn)}`);
      if (unusable) findings.push(`distribution.accounts[${i}].regions[${j}]: ${unusable}`);
      else if (account.kmsKeyId) {
        findings.push(labelled(`distribution.accounts[${i}].kmsKeyId`, keyProblem(account.kmsKeyId, { roleArn: account.roleArn, region })));
      }
    }
  }

  // Launch templates and fast launch act on this account's images, so only where one will be. A copy's
  // Region refused above is not asked again here, nor called (AWS may have no endpoint there).
  const imageRegions = [homeRegion, ...copies.map((c) => c.region).filter((r) => r !== homeRegion)];
  const noImage = (region: string, what: string) =>
    `${region} holds no image of this run: ${what} only where the image is (${[...usable].join(', ')})`;

  for (const [i, target] of (publish?.launchTemplates ?? []).entries()) {
    const region = target.region ?? homeRegion;
    if (!imageRegions.includes(region)) {
      findings.push(`publish.launchTemplates[${i}].region: ${noImage(region, 'a launch template can take a new version')}`);
    } else if (usable.has(region)) {
      // The new version is made from the template's default version.
      const template = { id: target.id, name: target.name, version: '$Default' };
      findings.push(labelled(`publish.launchTemplates[${i}]`, templateProblem(template, region)));
    }
  }

  if (fastLaunch) {
    // Omitted, the build Region only; `all`, every Region that will hold an image.
    const entries = fastLaunch.regions === undefined ? [homeRegion] : fastLaunch.regions === 'all' ? imageRegions : fastLaunch.regions;
    for (const [i, entry] of entries.entries()) {
      const region = typeof entry === 'string' ? entry : entry.region;
      const own = typeof entry === 'string' ? undefined : entry.launchTemplate;
      const template = own ?? fastLaunch.launchTemplate;
      if (!imageRegions.includes(region)) {
        findings.push(`fastLaunch.regions[${i}]: ${noImage(region, 'fast launch can be enabled')}`);
      } else if (template && usable.has(region)) {
        findings.push(
          labelled(own ? `fastLaunch.regions[${i}].launchTemplate` : 'fastLaunch.launchTemplate', templateProblem(template, region)),
        );
      }
    }
  }

  const problems = (await Promise.all(findings)).filter((f) => f !== undefined);
  if (problems.length) throw refuseInput(problems);
  return { homeRegion, governed: governedPlaces(governor, homeRegion) };
}
