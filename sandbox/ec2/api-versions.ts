import { ApiError, missingParameter } from '../core/errors';

/**
 * The EC2 API versions (the `Version` parameter), and the first version of each action the sandbox
 * serves. EC2 has kept 2016-11-15 as its current version since then: everything added later (launch
 * templates and their versions, replace-root-volume tasks, fast launch, AMI deprecation, deregistration
 * protection and disabling) exists only under it. The first versions of the older actions are those of
 * the EC2 release notes (2006-06-26 the first beta, 2008-05-05 EBS, 2008-12-01 Regions beyond us-east-1
 * and DescribeRegions, 2009-10-31 EBS-backed AMIs with CreateImage, StopInstances and StartInstances,
 * 2010-08-31 tags, 2013-02-01 CopyImage); the version list is that of EC2's published WSDLs.
 */
const EC2_API_VERSIONS = new Set([
  '2006-06-26',
  '2006-10-01',
  '2007-01-03',
  '2007-01-19',
  '2007-03-01',
  '2007-08-29',
  '2008-02-01',
  '2008-05-05',
  '2008-08-08',
  '2008-12-01',
  '2009-03-01',
  '2009-04-04',
  '2009-07-15',
  '2009-08-15',
  '2009-10-31',
  '2009-11-30',
  '2010-06-15',
  '2010-08-31',
  '2010-11-15',
  '2011-01-01',
  '2011-02-28',
  '2011-05-15',
  '2011-07-15',
  '2011-11-01',
  '2011-12-01',
  '2011-12-15',
  '2012-03-01',
  '2012-04-01',
  '2012-05-01',
  '2012-06-01',
  '2012-06-15',
  '2012-07-20',
  '2012-08-15',
  '2012-10-01',
  '2012-12-01',
  '2013-02-01',
  '2013-06-15',
  '2013-07-15',
  '2013-08-15',
  '2013-10-01',
  '2013-10-15',
  '2014-02-01',
  '2014-05-01',
  '2014-06-15',
  '2014-09-01',
  '2014-10-01',
  '2015-03-01',
  '2015-04-15',
  '2015-10-01',
  '2016-04-01',
  '2016-09-15',
  '2016-11-15',
]);

const FIRST_VERSION: Readonly<Record<string, string>> = {
  RunInstances: '2006-06-26',
  DescribeInstances: '2006-06-26',
  TerminateInstances: '2006-06-26',
  DescribeImages: '2006-06-26',
  DeregisterImage: '2006-06-26',
  ModifyImageAttribute: '2006-06-26',
  DescribeImageAttribute: '2006-06-26',
  DescribeVolumes: '2008-05-05',
  DescribeSnapshots: '2008-05-05',
  DeleteSnapshot: '2008-05-05',
  DescribeRegions: '2008-12-01',
  CreateImage: '2009-10-31',
  StopInstances: '2009-10-31',
  StartInstances: '2009-10-31',
  CreateTags: '2010-08-31',
  CreateLaunchTemplate: '2016-11-15',
  DescribeLaunchTemplates: '2016-11-15',
  CreateLaunchTemplateVersion: '2016-11-15',
  ModifyLaunchTemplate: '2016-11-15',
  DescribeLaunchTemplateVersions: '2016-11-15',
  CopyImage: '2013-02-01',
  EnableImageDeprecation: '2016-11-15',
  DisableImageDeprecation: '2016-11-15',
  EnableImageDeregistrationProtection: '2016-11-15',
  DisableImageDeregistrationProtection: '2016-11-15',
  DisableImage: '2016-11-15',
  EnableImage: '2016-11-15',
  EnableFastLaunch: '2016-11-15',
  DisableFastLaunch: '2016-11-15',
  DescribeFastLaunchImages: '2016-11-15',
  CreateReplaceRootVolumeTask: '2016-11-15',
  DescribeReplaceRootVolumeTasks: '2016-11-15',
};

export function invalidAction(action: string): ApiError {
  return new ApiError('InvalidAction', `The action ${action} is not valid for this web service.`);
}

/** An unknown version is NoSuchVersion; an action the requested version does not have yet is InvalidAction. */
export function checkVersion(action: string, version: string | undefined): void {
  if (version === undefined || version === '') throw missingParameter('Version');
  if (!EC2_API_VERSIONS.has(version)) {
    throw new ApiError('NoSuchVersion', `The requested version (${version}) of service AmazonEC2 does not exist`);
  }
  const first = FIRST_VERSION[action];
  // ISO dates compare as strings.
  if (first === undefined || version < first) throw invalidAction(action);
}
