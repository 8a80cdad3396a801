// A run cut off when the app last closed is offered for resuming at the next start.
import Database from 'better-sqlite3';
import { assert } from './harness.mjs';
import { startServe } from './serve.mjs';

export async function setup() {
  const server = await startServe();
  const db = new Database(server.db);
  db.prepare(
    "INSERT INTO runs (model, preset, config, status, created_at) VALUES ('cnn-lstm', 'tiny', '{}', 'interrupted', ?)",
  ).run(Date.now());
  db.close();
  return server;
}
export const teardown = (suite) => suite.stop();

export const tests = [
  {
    name: 'an interrupted run is offered for resuming; "Not now" puts the offer away',
    async run({ page, suite }) {
      await page.goto(suite.url);
      const banner = page.getByRole('alert').filter({ hasText: 'interrupted' });
      await banner.waitFor();
      assert(/run 1 was interrupted/.test(await banner.textContent()), 'names the run');
      await banner.getByRole('button', { name: 'Not now' }).click();
      await banner.waitFor({ state: 'detached' });
    },
  },
];
