/**
 * The worker process's Temporal runtime: its log level, and a Prometheus endpoint for the SDK's metrics
 * and ours (`golden_image_runs`, `golden_image_stage_duration`, `golden_image_aws_calls`), which are all
 * emitted through the same runtime meter. Metrics are off unless an address is given.
 */
import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';

export interface RuntimeSettings {
  /** host:port for GET /metrics, e.g. 127.0.0.1:9464. */
  metricsAddress?: string;
  logLevel?: LogLevel;
}

export function installRuntime(settings: RuntimeSettings): void {
  Runtime.install({
    ...(settings.logLevel && { logger: new DefaultLogger(settings.logLevel) }),
    ...(settings.metricsAddress && { telemetryOptions: { metrics: { prometheus: { bindAddress: settings.metricsAddress } } } }),
  });
}
