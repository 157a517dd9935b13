/**
 * One OpenTelemetry span per AWS call, made by a middleware on each client (clients.ts puts it on
 * every client when tracing is on), so that it covers every call, the AWS SDK's own retries included,
 * and knows what only the SDK knows: the Region the client resolved, and each attempt's outcome.
 *
 * The span is a child of whatever span is active: the activity's RunActivity (the SDK's activity
 * interceptor), or the shared watcher's beat (state-watcher.ts). It is named like OpenTelemetry's own
 * AWS SDK instrumentation, `EC2.CreateImage`, with its semantic conventions (rpc.system, rpc.service,
 * rpc.method, cloud.region, cloud.account.id where the client acts in a named account, aws.request_id,
 * error.type), and ours:
 * - golden_image.aws.attempts: how many attempts the SDK made (it retries a throttled or failed request
 *   once itself; beyond that the activity's retry policy takes over, counted on RunActivity as
 *   temporal.activity.attempt);
 * - golden_image.aws.throttled: whether AWS refused any of them for its rate. Each failed attempt is
 *   an event on the span, with its number, error code, and whether it was throttled.
 */
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type {
  FinalizeHandler,
  FinalizeHandlerArguments,
  HandlerExecutionContext,
  InitializeHandler,
  InitializeHandlerArguments,
  MiddlewareStack,
  Provider,
} from '@smithy/types';
import { classifyAwsError } from './errors';

/** What the middleware needs of an SDK client. */
interface TracedClient {
  config: { region: Provider<string>; serviceId?: string };
  // The SDK's clients each have their own input and output unions; the middleware reads neither.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  middlewareStack: MiddlewareStack<any, any>;
}

interface CallMetadata {
  $metadata?: { requestId?: string; httpStatusCode?: number };
}

/** What the attempts of one call tell its span, kept by the call's context, which every middleware of that call is given. */
interface Attempts {
  count: number;
  throttled: boolean;
}

const attemptsOf = new WeakMap<HandlerExecutionContext, Attempts>();

const tracer = trace.getTracer('golden-image/aws');

/** Spans every call `client` sends; `account` is the account it acts in, where the worker knows it (an assumed role's). */
export function traceAwsCalls<C extends TracedClient>(client: C, account?: string): C {
  client.middlewareStack.add(
    (next: InitializeHandler<object, CallMetadata>, context: HandlerExecutionContext) =>
      async (args: InitializeHandlerArguments<object>) => {
        const service = client.config.serviceId ?? context.clientName?.replace(/Client$/, '') ?? 'AWS';
        const method = context.commandName?.replace(/Command$/, '') ?? 'Unknown';
        const region = await client.config.region();
        const attempts: Attempts = { count: 0, throttled: false };
        attemptsOf.set(context, attempts);
        return tracer.startActiveSpan(
          `${service}.${method}`,
          {
            kind: SpanKind.CLIENT,
            attributes: {
              'rpc.system': 'aws-api',
              'rpc.service': service,
              'rpc.method': method,
              'cloud.region': region,
              ...(account && { 'cloud.account.id': account }),
            },
          },
          async (span) => {
            let metadata: CallMetadata['$metadata'];
            try {
              const result = await next(args);
              metadata = result.output.$metadata;
              return result;
            } catch (err) {
              metadata = (err as CallMetadata).$metadata;
              const { code, message } = classifyAwsError(err);
              span.setAttribute('error.type', code);
              span.setStatus({ code: SpanStatusCode.ERROR, message: `${code}: ${message}` });
              throw err;
            } finally {
              span.setAttributes({
                'golden_image.aws.attempts': attempts.count,
                'golden_image.aws.throttled': attempts.throttled,
                ...(metadata?.requestId && { 'aws.request_id': metadata.requestId }),
                ...(metadata?.httpStatusCode && { 'http.response.status_code': metadata.httpStatusCode }),
              });
              span.end();
            }
          },
        );
      },
    { step: 'initialize', priority: 'high', name: 'goldenImageCallSpan' },
  );
  // Inside the SDK's retry loop, so it runs once for each attempt.
  client.middlewareStack.addRelativeTo(
    (next: FinalizeHandler<object, CallMetadata>, context: HandlerExecutionContext) => async (args: FinalizeHandlerArguments<object>) => {
      // Set by the call's span middleware above, which every call passes first.
      const attempts = attemptsOf.get(context)!;
      const attempt = ++attempts.count;
      try {
        return await next(args);
      } catch (err) {
        const { code, throttling } = classifyAwsError(err);
        attempts.throttled ||= throttling;
        trace.getActiveSpan()?.addEvent('attempt failed', { attempt, 'error.type': code, throttled: throttling });
        throw err;
      }
    },
    { relation: 'after', toMiddleware: 'retryMiddleware', name: 'goldenImageAttemptEvents' },
  );
  return client;
}
