/**
 * Every AWS call an activity makes goes through here: its outcome is counted on the worker's metric
 * meter (`golden_image_aws_calls` by action and outcome), and any error comes back in Temporal's terms.
 * Its trace span is made beneath, by a middleware on the clients (call-spans.ts): only the SDK knows
 * the Region it resolved and how each of its own attempts went.
 */
import { Context } from '@temporalio/activity';
import { classifyAwsError, toTemporalFailure } from './errors';

type Outcome = 'ok' | 'throttled' | 'retryable' | 'error';

function outcomeOf(err: unknown): Outcome {
  const info = classifyAwsError(err);
  if (info.throttling) return 'throttled';
  return info.retryable ? 'retryable' : 'error';
}

function count(action: string, outcome: Outcome): void {
  let meter;
  try {
    meter = Context.current().metricMeter;
  } catch {
    return; // outside an activity (a script, a unit test) there is no meter to count on
  }
  // The action label may carry context, "DescribeLaunchTemplates (name)"; the metric keeps the action.
  meter
    .createCounter('golden_image_aws_calls', 'calls', 'AWS API calls made by activities, by action and outcome')
    .add(1, { action: action.split(' ')[0]!, outcome });
}

export async function awsCall<T>(action: string, call: () => Promise<T>): Promise<T> {
  try {
    const result = await call();
    count(action, 'ok');
    return result;
  } catch (err) {
    count(action, outcomeOf(err));
    throw toTemporalFailure(err, action);
  }
}
