// Serve mode's session in the browser: the token leaves the address bar once read, the page keeps
// working after a reload, thumbnails load on the session cookie, and the page runs under its
// Content-Security-Policy (no inline styles) without a single violation.
import { assert, screenshot } from './harness.mjs';
import { startServe } from './serve.mjs';

export const setup = () => startServe();
export const teardown = (suite) => suite.stop();

export const tests = [
  {
    name: 'the token is read once and removed from the address bar; reload and images still work',
    async run({ page, suite }) {
      const violations = [];
      page.on('console', (m) => {
        if (/Content.Security.Policy/i.test(m.text())) violations.push(m.text());
      });
      await page.goto(suite.url);
      await page.getByText('4 images').waitFor();
      assert(!page.url().includes('token'), `address bar: ${page.url()}`);
      const history = await page.evaluate(() => location.href);
      assert(!history.includes('token'), `location: ${history}`);
      // Thumbnails come over the session cookie, with no token in their URLs.
      await page.waitForFunction(
        () =>
          [...document.querySelectorAll('img')].filter((i) => i.complete && i.naturalWidth > 0).length >= 4,
        undefined,
        { timeout: 20_000 },
      );
      const srcs = await page.evaluate(() => [...document.querySelectorAll('img')].map((i) => i.src));
      assert(
        srcs.every((s) => !s.includes('token')),
        `image URLs: ${srcs.join(' ')}`,
      );
      await page.reload();
      await page.getByText('4 images').waitFor();
      await screenshot(page, 'serve-session-after-reload');
      assert(violations.length === 0, `CSP violations: ${violations.join(' | ')}`);
    },
  },
];
