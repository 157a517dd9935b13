/**
 * The process's tracer provider (tracing.ts says when there is one): loaded only when tracing is on,
 * or by a test that exports to memory.
 */
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { Resource } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor, type SpanExporter, type SpanProcessor } from '@opentelemetry/sdk-trace-base';

/** The process's tracing: what the Temporal interceptors and the workflow span sink need, and how to flush it. */
export interface Tracing {
  /** Every span ends here: the worker's workflow spans (through the sink) as well as its own. */
  spanProcessor: SpanProcessor;
  resource: Resource;
  /** Sends what is still buffered, then stops: call it before the process exits. */
  shutdown(): Promise<void>;
}

/**
 * Registers a tracer provider for the whole process, with W3C trace-context propagation (what the
 * Temporal interceptors put in headers) and an async-local context, so a span started in an activity
 * is the parent of the AWS calls it makes however many awaits later. An exporter is given a simple
 * processor, which sends each span as it ends. One per process: OpenTelemetry's globals take the
 * first registration only.
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
