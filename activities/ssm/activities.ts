/** The SSM activities, bound to their clients; activities/index.ts merges them in. Each takes an optional place last. */
import type { Place } from '../../contracts/place';
import type { AwsClients } from '../aws/clients';
import { publishImageParameter, type ImageParameterRequest } from './image-parameter';

export function createSsmActivities(clients: AwsClients) {
  return {
    publishImageParameter: (request: ImageParameterRequest, place?: Place) => publishImageParameter(clients.at(place).ssm, request),
  };
}
