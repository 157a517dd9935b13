/**
 * A workflow interceptor that counts finished runs by workflow type and outcome on the worker's
 * metric meter (`golden_image_runs`). As an interceptor it covers every workflow type the same way,
 * and the SDK keeps it quiet during replay, so a run is counted once.
 */
import {
  isCancellation,
  metricMeter,
  type WorkflowExecuteInput,
  type WorkflowInboundCallsInterceptor,
  type WorkflowInterceptorsFactory,
  type Next,
} from '@temporalio/workflow';

// Made per use, inside the workflow's context, so the SDK tags it with this run's workflow type.
const runs = () => metricMeter.createCounter('golden_image_runs', 'runs', 'finished pipeline runs, by workflow type and outcome');

class RunOutcomeInterceptor implements WorkflowInboundCallsInterceptor {
  async execute(input: WorkflowExecuteInput, next: Next<WorkflowInboundCallsInterceptor, 'execute'>): Promise<unknown> {
    try {
      const result = await next(input);
      runs().add(1, { outcome: 'completed' });
      return result;
    } catch (err) {
      runs().add(1, { outcome: isCancellation(err) ? 'cancelled' : 'failed' });
      throw err;
    }
  }
}

export const interceptors: WorkflowInterceptorsFactory = () => ({ inbound: [new RunOutcomeInterceptor()] });
