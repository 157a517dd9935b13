/**
 * Headless Chromium for end-to-end tests, driven by playwright-core. The browser is Debian's `chromium`
 * package, installed by `.ci/run` (never a browser downloaded by a test tool), and it reaches nothing
 * but loopback: background services are switched off by flags, and page requests to any other host
 * are refused and recorded.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

const CHROMIUM_PATH = '/usr/bin/chromium';

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
  '--disable-quic',
  // Belt and braces: any host name but loopback fails to resolve inside the browser.
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost',
];

export interface Browser {
  page: Page;
  /** Requests the page tried to make to hosts other than loopback (all refused). */
  offLoopbackRequests: string[];
  close(): Promise<void>;
}

const isLoopback = (url: string) => {
  const { protocol, hostname } = new URL(url);
  return !/^https?:$|^wss?:$/.test(protocol) || ['127.0.0.1', 'localhost', '[::1]'].includes(hostname);
};

/** Launches Chromium with a fresh profile directory; `close` removes it. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `${CHROMIUM_PATH} is missing: install Debian's Chromium with \`apt-get install -y --no-install-recommends chromium\` (.ci/run does this)`,
    );
  }
  const userDataDir = await mkdtemp(path.join(tmpdir(), 'golden-image-chromium-'));
  let context: BrowserContext | undefined;
  try {
    // A persistent context is how playwright-core takes our own --user-data-dir.
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1440, height: 1000 },
      timeout: 30_000,
    });
  } catch (err) {
    await rm(userDataDir, { recursive: true, force: true });
    throw err;
  }
  const offLoopbackRequests: string[] = [];
  await context.route(
    (url) => !isLoopback(url.href),
    (route) => {
      offLoopbackRequests.push(route.request().url());
      return route.abort('blockedbyclient');
    },
  );
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(20_000);
  return {
    page,
    offLoopbackRequests,
    async close() {
      await context.close();
      await rm(userDataDir, { recursive: true, force: true });
    },
  };
}
