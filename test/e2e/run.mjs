// Runs every test/e2e/*.e2e.mjs file in order in one Chromium, prints each result and the closing
// line `N passed, N failed`; `--json FILE` writes the counts for scripts/test-all.mjs.
import { readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { launch, screenshot } from './harness.mjs';

const args = process.argv.slice(2);
const jsonAt = args.indexOf('--json');
const jsonFile = jsonAt >= 0 ? args[jsonAt + 1] : null;
const filter = args.filter((a, i) => !a.startsWith('--') && (jsonAt < 0 || i !== jsonAt + 1));

const dir = resolve('test/e2e');
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.e2e.mjs'))
  .filter((f) => filter.length === 0 || filter.some((x) => f.includes(x)))
  .sort();

const browser = await launch();
let passed = 0;
let failed = 0;
try {
  for (const file of files) {
    const mod = await import(pathToFileURL(join(dir, file)).href);
    const suite = await mod.setup?.({ browser });
    try {
      for (const t of mod.tests) {
        const t0 = Date.now();
        const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
        const page = await context.newPage();
        const errors = [];
        page.on('pageerror', (e) => errors.push(e.message));
        try {
          await t.run({ page, suite });
          if (errors.length) throw new Error(`page errors: ${errors.join('; ')}`);
          passed++;
          console.log(`  ✓ ${file} › ${t.name} (${Date.now() - t0} ms)`);
        } catch (e) {
          failed++;
          await screenshot(page, `FAILED-${file}-${t.name.replace(/[^\w]+/g, '-')}`).catch(() => {});
          console.log(`  ✗ ${file} › ${t.name}\n    ${(e && e.stack) || e}`);
        } finally {
          await context.close();
        }
      }
    } finally {
      await mod.teardown?.(suite);
    }
  }
} finally {
  await browser.close();
}
if (jsonFile) writeFileSync(jsonFile, JSON.stringify({ numPassedTests: passed, numFailedTests: failed }));
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
