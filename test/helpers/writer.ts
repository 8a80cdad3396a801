// A second process for the concurrency test: adds captions in write transactions that hold the
// lock for a while, so that two of these overlap. Prints a JSON summary.
import { openStore } from '../../src/main/db/index';

const [dbPath, imageId, count, tag] = process.argv.slice(2);
const store = openStore(dbPath);
let errors = 0;
for (let i = 0; i < Number(count); i++) {
  try {
    store.captions.action(`write ${tag} ${i}`, (op) => {
      store.captions.add({ imageId: Number(imageId), text: `${tag} ${i}` }, op);
      const until = Date.now() + 2; // hold the write lock ~2 ms
      while (Date.now() < until);
    });
  } catch (e) {
    errors++;
    console.error((e as Error).message);
  }
}
store.close();
console.log(JSON.stringify({ tag, errors }));
