// Before `npm start`: builds better-sqlite3 for Electron's ABI into .native/electron/, beside
// Node's own build (which the tests and the CLI use). The app loads it through better-sqlite3's
// `nativeBinding` option. Needs Electron's headers once (network); without them, says so and
// points to serve mode, which runs on Node's build.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const nodeRequire = createRequire(import.meta.url);
const electronVersion = JSON.parse(
  readFileSync(nodeRequire.resolve('electron/package.json'), 'utf8'),
).version;
const outDir = join('.native', 'electron');
const target = join(outDir, 'better_sqlite3.node');
const stamp = join(outDir, 'version.txt');

if (existsSync(target) && existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === electronVersion)
  process.exit(0);

/** The environment without npm's nodedir (set here to Node's headers), which would build for Node's ABI. */
function electronEnv() {
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (k.toLowerCase() === 'npm_config_nodedir') delete env[k];
  return env;
}

/** node-gyp as bundled with npm (npm ships it; it is not a dependency of ours). */
function nodeGyp() {
  const npmCli =
    process.env.npm_execpath ??
    execFileSync('sh', ['-c', 'readlink -f "$(command -v npm)"'], { encoding: 'utf8' }).trim();
  let dir = dirname(npmCli);
  while (dir !== dirname(dir) && !existsSync(join(dir, 'node_modules', 'node-gyp'))) dir = dirname(dir);
  return join(dir, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
}

const pkgDir = join(nodeRequire.resolve('better-sqlite3/package.json'), '..');
const work = join('.native', 'build-better-sqlite3');
mkdirSync(outDir, { recursive: true });
try {
  execFileSync('rm', ['-rf', work]);
  execFileSync('cp', ['-r', pkgDir, work]);
  execFileSync(
    process.execPath,
    [
      nodeGyp(),
      'rebuild',
      '--release',
      `--target=${electronVersion}`,
      '--dist-url=https://electronjs.org/headers',
      '--runtime=electron',
    ],
    { cwd: work, stdio: 'inherit', timeout: 10 * 60_000, env: electronEnv() },
  );
  copyFileSync(join(work, 'build', 'Release', 'better_sqlite3.node'), target);
  writeFileSync(stamp, electronVersion + '\n');
  console.log(`better-sqlite3 built for Electron ${electronVersion}: ${target}`);
} catch (e) {
  console.error(
    `\nCould not build better-sqlite3 for Electron ${electronVersion} (${e.message.split('\n')[0]}).\n` +
      `The build needs Electron's headers from electronjs.org once, and a C++ toolchain (python3, make, g++).\n` +
      `Run the app in your browser instead: npm run serve  (the same app over http://127.0.0.1, no Electron needed).\n`,
  );
  process.exit(1);
}
