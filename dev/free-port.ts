/**
 * A free loopback port, so the bench and the tests never collide with `npm start` or each other.
 *
 * It is drawn below the kernel's ephemeral range, not from `listen(0)`: a port the kernel hands out
 * for a listener is also one it hands out as the local end of outgoing connections, and with hundreds
 * of connections opening (a test's SDK clients, gRPC, the sandbox), a port a stack gave back when it
 * stopped was taken by one of them before the same stack started again on it.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** Linux's default lower bound, where /proc does not say. */
const DEFAULT_EPHEMERAL_LOW = 32768;
/** Well above the registered ports that local services commonly use (5432, 6379, 7233, 8233, 9090…). */
const LOWEST = 10_000;
const TRIES = 50;

function ephemeralLow(): number {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(low) && low > LOWEST + 1000 ? low : DEFAULT_EPHEMERAL_LOW;
  } catch {
    return DEFAULT_EPHEMERAL_LOW;
  }
}

/** `count` distinct free ports. */
export async function freePorts(count: number): Promise<number[]> {
  const high = ephemeralLow();
  const ports = new Set<number>();
  for (let i = 0; i < TRIES * count && ports.size < count; i++) {
    const port = LOWEST + Math.floor(Math.random() * (high - LOWEST));
    if (!ports.has(port) && (await canListen(port))) ports.add(port);
  }
  if (ports.size < count) throw new Error(`no ${count} free loopback ports between ${LOWEST} and ${high - 1}`);
  return [...ports];
}

export async function freePort(): Promise<number> {
  return (await freePorts(1))[0]!;
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
