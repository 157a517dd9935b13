/** Arranging Auto Scaling rollouts on the sandbox, as a user's account would have them, through the AWS SDK. */
import { CreateAutoScalingGroupCommand } from '@aws-sdk/client-auto-scaling';
import { PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import { CreateLaunchTemplateCommand } from '@aws-sdk/client-ec2';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import type { PlacedClients } from '../../activities/aws/clients';

/** A launch template `web` on the Region's Windows base image, the group `web-asg` of two instances pinned to its version 1, and the alarm `web-5xx`. */
export async function groupFleet({ ec2, ssm, autoscaling, cloudwatch }: PlacedClients, region: string): Promise<void> {
  const base = (await ssm.send(new GetParameterCommand({ Name: '/aws/service/ami-windows-latest/Windows_Server-2022-English-Full-Base' })))
    .Parameter!.Value!;
  await ec2.send(
    new CreateLaunchTemplateCommand({ LaunchTemplateName: 'web', LaunchTemplateData: { ImageId: base, InstanceType: 'm5.large' } }),
  );
  await autoscaling.send(
    new CreateAutoScalingGroupCommand({
      AutoScalingGroupName: 'web-asg',
      LaunchTemplate: { LaunchTemplateName: 'web', Version: '1' },
      MinSize: 2,
      MaxSize: 4,
      DesiredCapacity: 2,
      AvailabilityZones: [`${region}a`],
    }),
  );
  await cloudwatch.send(
    new PutMetricAlarmCommand({
      AlarmName: 'web-5xx',
      Namespace: 'AWS/ApplicationELB',
      MetricName: 'HTTPCode_Target_5XX_Count',
      Statistic: 'Sum',
      Period: 60,
      EvaluationPeriods: 1,
      Threshold: 10,
      ComparisonOperator: 'GreaterThanThreshold',
    }),
  );
}
