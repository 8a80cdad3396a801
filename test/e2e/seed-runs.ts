// Adds finished runs with given validation metrics to an end-to-end library, through the core's
// store, for tests of the Runs page's tables and charts. Usage: tsx test/e2e/seed-runs.ts DB JSON
// where JSON is [{ "seed": 1, "val": [{ "loss": 2.1, "bleu4": 0.3 }, …], "test": { "bleu1": 0.5 } }, …]
// (val: one object per epoch, from epoch 1, at step 10 per epoch); prints the new run ids.
import { openStore } from '../../src/main/db/index';

interface SeedRun {
  seed: number;
  val: Array<Record<string, number>>;
  test?: Record<string, number>;
}

const [db, json] = process.argv.slice(2);
const runs = JSON.parse(json) as SeedRun[];
const store = openStore(db);
const ids: number[] = [];
try {
  for (const r of runs) {
    const id = store.runs.create('cnn-lstm', 'tiny', { seed: r.seed, epochs: r.val.length }, null);
    // Epoch n ends at step 10·n: charts by epoch and charts by step both have the points.
    r.val.forEach((values, i) => store.runs.addMetrics(id, i + 1, (i + 1) * 10, 'val', values));
    if (r.test) store.runs.addMetrics(id, null, null, 'test', r.test);
    store.runs.setStatus(id, 'completed');
    ids.push(id);
  }
} finally {
  store.close();
}
console.log(ids.join(' '));
