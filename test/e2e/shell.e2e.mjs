// The built renderer loads in Chromium and shows the application shell.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { assert, screenshot } from './harness.mjs';

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };

export async function setup() {
  const root = join(process.cwd(), 'out/renderer');
  const server = createServer(async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname)).replace(
      /^(\.\.[/\\])+/,
      '',
    );
    const file = join(root, path === '/' ? 'index.html' : path);
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${server.address().port}/` };
}

export async function teardown(suite) {
  await new Promise((r) => suite.server.close(r));
}

export const tests = [
  {
    name: 'the built renderer shows the shell over HTTP',
    async run({ page, suite }) {
      await page.goto(suite.url);
      await page.getByRole('heading', { name: 'Caption Studio' }).waitFor();
      assert((await page.locator('.transport').textContent()) === 'http', 'transport is http');
      await screenshot(page, 'shell');
    },
  },
];
