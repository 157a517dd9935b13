/**
 * The worker process's Temporal runtime: its log level, and a Prometheus endpoint for the SDK's metrics
 * and ours (`golden_image_runs`, `golden_image_stage_duration`, `golden_image_aws_calls`), which are all
 * emitted through the same runtime meter. Metrics are off unless an address is given.
 */
import { DefaultLogger, Runtime, type LogLevel, type LogMetadata } from '@temporalio/worker';

export interface RuntimeSettings {
  /** host:port for GET /metrics, e.g. 127.0.0.1:9464. */
  metricsAddress?: string;
  logLevel?: LogLevel;
}

/**
 * The SDK's logger, less one notice: the rate governor's lane workers (create-worker.ts) run activities
 * only, by design, and the SDK warns at start that each polls no workflow tasks, a warning per lane that
 * tells an operator nothing (the main worker always has the workflows).
 */
class WorkerLogger extends DefaultLogger {
  override log(level: LogLevel, message: string, meta?: LogMetadata): void {
    if (message !== 'No workflows registered, not polling for workflow tasks') super.log(level, message, meta);
  }
}

export function installRuntime(settings: RuntimeSettings): void {
  Runtime.install({
    logger: new WorkerLogger(settings.logLevel ?? 'INFO'),
    ...(settings.metricsAddress && { telemetryOptions: { metrics: { prometheus: { bindAddress: settings.metricsAddress } } } }),
  });
}
