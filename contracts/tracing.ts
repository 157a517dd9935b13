/**
 * OpenTelemetry tracing, shared by the worker and the CLI so that they agree by construction: one
 * trace per run, opened by the CLI's start (StartWorkflow) and carried in Temporal headers through the
 * workflow (RunWorkflow, StartActivity) to each activity (RunActivity) and its AWS calls.
 *
 * Tracing is off unless an OTLP endpoint is given with OpenTelemetry's standard variables:
 * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT (the full URL, such as http://127.0.0.1:4318/v1/traces) or
 * OTEL_EXPORTER_OTLP_ENDPOINT (the base, to which /v1/traces is added). Spans go out as OTLP/HTTP
 * (JSON), in batches; OTEL_EXPORTER_OTLP_HEADERS, OTEL_SERVICE_NAME and OTEL_TRACES_SAMPLER are honoured
 * as OpenTelemetry documents them. Off, nothing is registered, and the OpenTelemetry API the activities
 * call stays its no-op.
 */
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  SimpleSpanProcessor,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';

export const TRACES_ENDPOINT_ENV = 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT';
export const ENDPOINT_ENV = 'OTEL_EXPORTER_OTLP_ENDPOINT';

/** The process's tracing: what the Temporal interceptors and the workflow span sink need, and how to flush it. */
export interface Tracing {
  /** Every span ends here: the worker's workflow spans (through the sink) as well as its own. */
  spanProcessor: SpanProcessor;
  resource: Resource;
  /** Sends what is still buffered, then stops: call it before the process exits. */
  shutdown(): Promise<void>;
}

/** The OTLP endpoint the environment names, if any; undefined keeps tracing off. */
export function tracingEndpoint(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env[TRACES_ENDPOINT_ENV] || env[ENDPOINT_ENV] || undefined;
}

/** Tracing over OTLP when the environment names an endpoint; undefined when it does not. */
export function tracingFromEnv(serviceName: string, env: NodeJS.ProcessEnv = process.env): Tracing | undefined {
  if (!tracingEndpoint(env)) return undefined;
  // The exporter reads the endpoint, headers and timeout from the same variables itself.
  return startTracing(env.OTEL_SERVICE_NAME || serviceName, new BatchSpanProcessor(new OTLPTraceExporter()));
}

/**
 * Registers a tracer provider for the whole process, with W3C trace-context propagation (what the
 * Temporal interceptors put in headers) and an async-local context, so a span started in an activity
 * is the parent of the AWS calls it makes however many awaits later. One per process: OpenTelemetry's
 * globals take the first registration only.
 */
export function startTracing(serviceName: string, processor: SpanProcessor | SpanExporter): Tracing {
  const spanProcessor = 'onEnd' in processor ? processor : new SimpleSpanProcessor(processor);
  const resource = Resource.default().merge(new Resource({ 'service.name': serviceName }));
  const provider = new BasicTracerProvider({ resource });
  provider.addSpanProcessor(spanProcessor);
  provider.register({ contextManager: new AsyncLocalStorageContextManager() });
  return {
    spanProcessor,
    resource,
    async shutdown() {
      await provider.shutdown();
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
}
