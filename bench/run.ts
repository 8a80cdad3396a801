// `npm run bench [filter…]`: runs every bench/*.bench.ts module, prints one table and writes
// bench/results.json with the machine's description. Never part of `npm test`.
import { readdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, platform, release } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Bench, BenchRow } from './types';

const here = import.meta.dirname;
const filters = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();

const machine = {
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  os: `${platform()} ${release()}`,
  node: process.version,
  date: new Date().toISOString(),
};

const results: Array<BenchRow & { bench: string }> = [];
for (const file of files) {
  const mod = (await import(pathToFileURL(join(here, file)).href)) as { default: Bench };
  const bench = mod.default;
  process.stderr.write(`running ${bench.name}…\n`);
  try {
    for (const row of await bench.run()) results.push({ bench: bench.name, ...row });
  } catch (e) {
    results.push({ bench: bench.name, name: 'FAILED: ' + (e as Error).message, value: NaN, unit: '' });
  }
}

const fmt = (v: number) =>
  Number.isNaN(v) ? '-' : v >= 100 ? v.toFixed(0) : v >= 1 ? v.toFixed(2) : v.toPrecision(3);
const header = ['bench', 'case', 'value', 'unit', 'note'];
const table = results.map((r) => [r.bench, r.name, fmt(r.value), r.unit, r.note ?? '']);
const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i].length)));
const line = (cells: string[]) => '| ' + cells.map((c, i) => c.padEnd(widths[i])).join(' | ') + ' |';
console.log(`\n${machine.cpu} · ${machine.cores} cores · ${machine.memoryGiB} GiB · node ${machine.node}\n`);
console.log(line(header));
console.log('|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|');
for (const row of table) console.log(line(row));
writeFileSync(join(here, 'results.json'), JSON.stringify({ machine, results }, null, 2) + '\n');
// Benches that ran in this process may have started tfjs's WebAssembly thread pool, whose workers keep
// Node's event loop alive after the table is written: end the run here.
process.exit(0);
