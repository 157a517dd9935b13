/**
 * A webhook receiver for tests, on 127.0.0.1: it records every delivery, and checks its signature the way
 * the README tells receivers to (HMAC-SHA256 of "<timestamp>.<body>" with the shared secret, compared in
 * constant time). It answers 200, or what `answer` says (503 for a receiver that is down).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Delivery {
  headers: IncomingHttpHeaders;
  body: string;
  /** The signature header matches the body and timestamp under the secret. */
  verified: boolean;
}

export interface WebhookReceiver {
  url: string;
  deliveries: Delivery[];
  /** Deliveries by their X-Golden-Image-Delivery key, each once: what a deduplicating receiver acts on. */
  distinct(): Delivery[];
  /** The status to answer with (200 by default); called before the answer, so a test can act on a delivery. */
  answer: (delivery: Delivery) => number | Promise<number>;
  close(): Promise<void>;
}

/** What a receiver does with the headers: the README's verification, written once more from its words. */
export function verifySignature(secret: string, headers: IncomingHttpHeaders, body: string): boolean {
  const timestamp = String(headers['x-golden-image-timestamp'] ?? '');
  const signature = String(headers['x-golden-image-signature'] ?? '');
  const expected = `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
  const fresh = Math.abs(Date.now() / 1000 - Number(timestamp)) < 300;
  return fresh && signature.length === expected.length && timingSafeEqual(Buffer.from(signature), Buffer.from(expected));
}

export async function startWebhookReceiver(secret: string): Promise<WebhookReceiver> {
  const receiver: WebhookReceiver = {
    url: '',
    deliveries: [],
    distinct: () => [...new Map(receiver.deliveries.map((d) => [String(d.headers['x-golden-image-delivery']), d])).values()],
    answer: () => 200,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const delivery = { headers: req.headers, body, verified: verifySignature(secret, req.headers, body) };
      receiver.deliveries.push(delivery);
      void Promise.resolve(receiver.answer(delivery)).then((status) => res.writeHead(status).end());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/golden-image`;
  return receiver;
}
