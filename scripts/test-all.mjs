// `npm test`: every stage in order (typecheck, lint, unit + integration tests, ML tests, build,
// end-to-end), each counted, and one closing line `N passed, N failed` over all of them.
// Tests count one each; typecheck, lint and build count as one check each.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';

mkdirSync('.ci', { recursive: true });
const only = process.argv.slice(2);
const stages = [
  { name: 'typecheck', cmd: 'npm run -s typecheck' },
  { name: 'lint', cmd: 'npm run -s lint' },
  {
    name: 'unit',
    cmd: 'npx vitest run --project unit --reporter=default --reporter=json --outputFile=.ci/unit.json',
    json: '.ci/unit.json',
  },
  {
    name: 'ml',
    cmd: 'npx vitest run --project ml --reporter=default --reporter=json --outputFile=.ci/ml.json',
    json: '.ci/ml.json',
  },
  { name: 'build', cmd: 'npm run -s build' },
  { name: 'e2e', cmd: 'node test/e2e/run.mjs --json .ci/e2e.json', json: '.ci/e2e.json' },
].filter((s) => only.length === 0 || only.includes(s.name));

let passed = 0;
let failed = 0;
const rows = [];
for (const stage of stages) {
  if (stage.json) rmSync(stage.json, { force: true });
  const t0 = Date.now();
  console.log(`\n=== ${stage.name}: ${stage.cmd}`);
  const r = spawnSync(stage.cmd, { shell: true, stdio: 'inherit', env: process.env });
  const secs = ((Date.now() - t0) / 1000).toFixed(1);
  let p = 0;
  let f = 0;
  if (stage.json && existsSync(stage.json)) {
    const j = JSON.parse(readFileSync(stage.json, 'utf8'));
    p = j.numPassedTests ?? 0;
    f = j.numFailedTests ?? 0;
    // A runner that failed without a failing test (a file that did not load, say) is one failure.
    if (r.status !== 0 && f === 0) f = 1;
    // vitest exits non-zero on no test files; a stage that ran nothing is a failure, not a pass.
    if (p + f === 0) f = 1;
  } else if (r.status === 0) p = 1;
  else f = 1;
  passed += p;
  failed += f;
  rows.push(
    `${stage.name.padEnd(10)} ${String(p).padStart(5)} passed ${String(f).padStart(4)} failed  ${secs.padStart(7)} s`,
  );
}
console.log('\nStages:');
for (const row of rows) console.log('  ' + row);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
