/**
 * What a traced worker adds to its workers (contracts/tracing.ts says when tracing is on): the
 * OpenTelemetry activity interceptor, which continues the run's trace in a RunActivity span from the
 * headers the workflow's StartActivity put on the task (lane workers included, so calls the rate
 * governor sends through lanes stay in the run's trace), and the sink through which the workflow
 * interceptors in the traced bundle (workflow-bundle.ts) hand their spans out of the workflow sandbox.
 * The sink is not called during replay, so a run's RunWorkflow and StartActivity spans are exported once.
 */
import { trace } from '@opentelemetry/api';
import type { Context as ActivityContext } from '@temporalio/activity';
import {
  makeWorkflowExporter,
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
} from '@temporalio/interceptors-opentelemetry/lib/worker';
import type {
  ActivityExecuteInput,
  ActivityInboundCallsInterceptor,
  ActivityInterceptorsFactory,
  InjectedSinks,
  Next,
} from '@temporalio/worker';
import type { OpenTelemetrySinks } from '@temporalio/interceptors-opentelemetry/lib/workflow';
import type { Tracing } from '../contracts/tracing';

/**
 * Puts the activity's attempt on its RunActivity span. Most attempts are polls (a wait's retry policy
 * is its poll), so a trace shows how many it took; the SDK's interceptor sets only the IDs.
 */
class ActivityAttemptAttribute implements ActivityInboundCallsInterceptor {
  constructor(private readonly ctx: ActivityContext) {}

  execute(input: ActivityExecuteInput, next: Next<ActivityInboundCallsInterceptor, 'execute'>) {
    trace.getActiveSpan()?.setAttribute('temporal.activity.attempt', this.ctx.info.attempt);
    return next(input);
  }
}

/** The activity interceptors of a traced worker: the SDK's span first, so ours runs inside it. */
export const tracedActivityInterceptors: ActivityInterceptorsFactory[] = [
  (ctx) => ({ inbound: new OpenTelemetryActivityInboundInterceptor(ctx), outbound: new OpenTelemetryActivityOutboundInterceptor(ctx) }),
  (ctx) => ({ inbound: new ActivityAttemptAttribute(ctx) }),
];

/** The sink the traced bundle's workflow interceptors export through, into the worker's span processor. */
export function workflowSpanSinks(tracing: Tracing): InjectedSinks<OpenTelemetrySinks> {
  return { exporter: makeWorkflowExporter(tracing.spanProcessor, tracing.resource) };
}
