// Before `npm start`/`npm run dev`/`npm run dist`: builds better-sqlite3 for Electron's ABI into
// .native/electron/, beside Node's own build in node_modules (which the tests, the CLI and serve
// mode use). The app loads it through better-sqlite3's `nativeBinding` option. The build is made by
// @electron/rebuild on a copy of the package in .native/work/: a prebuilt binary when one is
// published for this Electron, platform and arch, else a compile with Electron's headers (needs a
// C++ toolchain). Either needs the network once; offline, it says so at once and points to serve
// mode, which runs on Node's build.
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { lookup } from 'node:dns/promises';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { join, resolve, sep } from 'node:path';

const nodeRequire = createRequire(import.meta.url);
const readJson = (file) => JSON.parse(readFileSync(file, 'utf8'));
const electronVersion = readJson(nodeRequire.resolve('electron/package.json')).version;
const outDir = join('.native', 'electron');
const target = join(outDir, 'better_sqlite3.node');
const stamp = join(outDir, 'version.txt');
const stampText = `${electronVersion} ${process.platform}-${process.arch}`;

if (existsSync(target) && existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === stampText)
  process.exit(0);

const serveHint =
  'Run the app in your browser instead: npm run serve  (the same app over http://127.0.0.1, no Electron needed).';

function fail(why) {
  console.error(`\nCould not build better-sqlite3 for Electron ${electronVersion}: ${why}\n${serveHint}\n`);
  process.exit(1);
}

/** True when a host answers DNS within 5 s (offline machines fail here at once, not after a download timeout). */
async function reachable(host) {
  const timeout = new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 5000).unref());
  try {
    await Promise.race([lookup(host), timeout]);
    return true;
  } catch {
    return false;
  }
}

const headersCached = existsSync(join(homedir(), '.electron-gyp', electronVersion));
if (!headersCached && !(await reachable('github.com')) && !(await reachable('www.electronjs.org')))
  fail(
    'this machine is offline (neither github.com, for a prebuilt binary, nor electronjs.org, for the headers to compile against, answers).',
  );

let rebuild;
try {
  ({ rebuild } = await import('@electron/rebuild'));
} catch {
  fail('@electron/rebuild is not installed; run `npm install` (it is a devDependency).');
}

// npm passes its `nodedir` setting (Node's headers) to child processes; node-gyp would then build
// for Node's ABI instead of Electron's.
for (const k of Object.keys(process.env)) if (k.toLowerCase() === 'npm_config_nodedir') delete process.env[k];

const pkgDir = resolve(nodeRequire.resolve('better-sqlite3/package.json'), '..');
const work = resolve('.native', 'work');
const copy = join(work, 'node_modules', 'better-sqlite3');
rmSync(work, { recursive: true, force: true });
mkdirSync(join(work, 'node_modules'), { recursive: true });
writeFileSync(
  join(work, 'package.json'),
  JSON.stringify({
    name: 'electron-native-work',
    private: true,
    dependencies: { 'better-sqlite3': readJson(join(pkgDir, 'package.json')).version },
  }),
);
// Node's build stays where it is; the copy is built without it.
cpSync(pkgDir, copy, { recursive: true, filter: (src) => !src.startsWith(join(pkgDir, 'build') + sep) });
mkdirSync(outDir, { recursive: true });
try {
  await rebuild({
    buildPath: work,
    electronVersion,
    onlyModules: ['better-sqlite3'],
    force: true,
    mode: 'sequential',
  });
  const built = join(copy, 'build', 'Release', 'better_sqlite3.node');
  if (!existsSync(built)) throw new Error(`no ${built} after the rebuild`);
  cpSync(built, target);
  writeFileSync(stamp, stampText + '\n');
  rmSync(work, { recursive: true, force: true });
  console.log(`better-sqlite3 built for Electron ${electronVersion}: ${target}`);
} catch (e) {
  rmSync(work, { recursive: true, force: true });
  fail(
    `${String(e?.message ?? e).split('\n')[0]}\n` +
      'A prebuilt binary is fetched from GitHub when one exists; otherwise it is compiled, which needs ' +
      "Electron's headers from electronjs.org once and a C++ toolchain (see docs/infra.md).",
  );
}
