/**
 * OpenTelemetry tracing, shared by the worker and the CLI so that they agree by construction: one
 * trace per run, opened by the CLI's start (StartWorkflow) and carried in Temporal headers through the
 * workflow (RunWorkflow, StartActivity) to each activity (RunActivity) and its AWS calls.
 *
 * Tracing is off unless an OTLP endpoint is given with OpenTelemetry's standard variables:
 * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT (the full URL, such as http://127.0.0.1:4318/v1/traces) or
 * OTEL_EXPORTER_OTLP_ENDPOINT (the base, to which /v1/traces is added). Spans go out as OTLP/HTTP
 * (JSON), in batches; OTEL_EXPORTER_OTLP_HEADERS, OTEL_SERVICE_NAME and OTEL_TRACES_SAMPLER are honoured
 * as OpenTelemetry documents them. Off, nothing is registered, so the OpenTelemetry API the activities
 * call stays its no-op, and OpenTelemetry's SDK is not even loaded: a CLI command would spend a few
 * hundred milliseconds on it.
 */
import type * as OtlpExporter from '@opentelemetry/exporter-trace-otlp-http';
import type * as TraceSdk from '@opentelemetry/sdk-trace-base';
import type * as TracingProvider from './tracing-provider';

export type { Tracing } from './tracing-provider';

const TRACES_ENDPOINT_ENV = 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT';
const ENDPOINT_ENV = 'OTEL_EXPORTER_OTLP_ENDPOINT';

/** The OTLP endpoint the environment names, if any; undefined keeps tracing off. */
export function tracingEndpoint(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env[TRACES_ENDPOINT_ENV] || env[ENDPOINT_ENV] || undefined;
}

/** Tracing over OTLP when the environment names an endpoint; undefined when it does not. */
export function tracingFromEnv(serviceName: string, env: NodeJS.ProcessEnv = process.env): TracingProvider.Tracing | undefined {
  if (!tracingEndpoint(env)) return undefined;
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { startTracing } = require('./tracing-provider') as typeof TracingProvider;
  const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http') as typeof OtlpExporter;
  const { BatchSpanProcessor } = require('@opentelemetry/sdk-trace-base') as typeof TraceSdk;
  /* eslint-enable @typescript-eslint/no-require-imports */
  // The exporter reads the endpoint, headers and timeout from the same variables itself.
  return startTracing(env.OTEL_SERVICE_NAME || serviceName, new BatchSpanProcessor(new OTLPTraceExporter()));
}
