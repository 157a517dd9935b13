/**
 * The preflight of an AppStream image update: what only AWS can say about its copy and fleet settings,
 * asked with describes before the update is created. Every copy Region must be known and not the build
 * Region; every fleet must exist in the build Region or a copy Region, must not be Elastic (an Elastic
 * fleet has no image), and must run the image's platform. Every problem is reported at once, as one
 * non-retryable `InvalidInput` failure; a transient AWS failure fails retryably instead.
 */
import type { AppStreamImageUpdateInput } from '../contracts/appstream-image-update';
import type { AwsClients } from './aws/clients';
import { describeRegions, regionUnusable } from './ec2/regions';
import { refuseInput } from './input-validation';
import { describeFleetsByName, fleetView } from './appstream/fleets';
import { describeAppStreamImage } from './appstream/image-lookup';

export type AppStreamPreflightRequest = Pick<AppStreamImageUpdateInput, 'existingImageName' | 'copyTo' | 'fleets'>;

export async function preflightAppStreamUpdate(clients: AwsClients, request: AppStreamPreflightRequest): Promise<{ homeRegion: string }> {
  const homeRegion = await clients.homeRegion();
  const problems: string[] = [];

  const imageRegions = new Set([homeRegion]);
  if (request.copyTo.length) {
    const regions = await describeRegions(clients.ec2);
    for (const [i, { region }] of request.copyTo.entries()) {
      const unusable =
        region === homeRegion
          ? `${homeRegion} is the build Region, where the image is made: list only the Regions to copy it to`
          : regionUnusable(regions, region, 'this account');
      if (unusable) problems.push(`copyTo[${i}].region: ${unusable}`);
      else imageRegions.add(region);
    }
  }

  if (request.fleets.length) {
    const image = await describeAppStreamImage(clients.appstream, request.existingImageName);
    if (!image) problems.push(`existingImageName: ${request.existingImageName} is not an image this account can see in ${homeRegion}`);
    // One DescribeFleets per Region, for every fleet named there.
    const byRegion = new Map<string, { name: string; index: number }[]>();
    for (const [index, fleet] of request.fleets.entries()) {
      const region = fleet.region ?? homeRegion;
      if (!imageRegions.has(region)) {
        problems.push(
          `fleets[${index}].region: ${region} holds no image of this run: fleets only where the image is (${[...imageRegions].join(', ')})`,
        );
        continue;
      }
      byRegion.set(region, [...(byRegion.get(region) ?? []), { name: fleet.name, index }]);
    }
    for (const [region, fleets] of byRegion) {
      const found = await describeFleetsByName(
        clients.at(region === homeRegion ? {} : { region }).appstream,
        fleets.map((f) => f.name),
      );
      for (const { name, index } of fleets) {
        const fleet = found.get(name);
        const path = `fleets[${index}]`;
        if (!fleet) problems.push(`${path}.name: there is no fleet ${name} in ${region}`);
        else {
          const view = fleetView(fleet);
          if (view.type === 'ELASTIC') problems.push(`${path}.name: fleet ${name} is Elastic: an Elastic fleet has no image to update`);
          else if (image?.Platform && view.platform && view.platform !== image.Platform)
            problems.push(`${path}.name: fleet ${name} runs ${view.platform}, the image is ${image.Platform}`);
        }
      }
    }
  }

  if (problems.length) throw refuseInput(problems);
  return { homeRegion };
}
