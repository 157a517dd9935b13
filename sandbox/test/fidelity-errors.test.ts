import { fidelityGroups } from './support/fidelity';

/**
 * First, that the response validator catches each flaw it claims to. Then the errors the sandbox answers as AWS does, as botocore parses them (code and HTTP status): each way a
 * SigV4 signature can fail, for EC2 and for AppStream; parameters EC2 refuses; throttling; and accounts
 * and Regions that do not see each other's resources.
 */

fidelityGroups(['model-check', 'errors-ec2', 'errors-appstream', 'accounts-and-regions']);
