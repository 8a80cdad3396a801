// Library search beyond caption words: a file name (IMG_0001) finds its image, an emoji finds the
// captions holding it; an undone step stays in an image's history, marked undone.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/main/db/index';
import { tempDir } from '../helpers/tmp';

let store: Store;
const ids: number[] = [];

beforeAll(() => {
  store = openStore(join(tempDir('cs-search-'), 'library.db'));
  const photos = [
    ['/photos/2024/IMG_0001.JPG', 'a dog on the beach 🐶'],
    ['/photos/2024/IMG_0002.JPG', 'a cat on a sofa 🐱'],
    ['C:\\Users\\me\\holiday\\DSC-77.png', 'a sunset over the sea 🌅🌊'],
  ] as const;
  for (const [i, [path, text]] of photos.entries()) {
    const { image } = store.images.upsert({ hash: `h${i}`, path, width: 8, height: 8 });
    store.captions.add({ imageId: image.id, text }, null);
    ids.push(image.id);
  }
});
afterAll(() => store.close());

const search = (s: string) => store.images.list({ search: s }).ids;

describe('search', () => {
  it('finds an image by its file name, any case, whole or in part', () => {
    expect(search('IMG_0001')).toEqual([ids[0]]);
    expect(search('img_0002.jpg')).toEqual([ids[1]]);
    expect(search('IMG_')).toEqual([ids[0], ids[1]]);
    expect(search('dsc-77')).toEqual([ids[2]]);
    // The folder is not the file name.
    expect(search('holiday')).toEqual([]);
    // Caption words still work as before.
    expect(search('sunset sea')).toEqual([ids[2]]);
  });

  it('finds emoji in caption text', () => {
    expect(search('🐶')).toEqual([ids[0]]);
    expect(search('🌊')).toEqual([ids[2]]);
    expect(search('🐶 beach')).toEqual([ids[0]]);
    expect(search('🐶 sofa')).toEqual([]);
  });
});

describe('history', () => {
  it('keeps an undone step, marked undone, and unmarks it on redo', () => {
    const [c] = store.captions.ofImages([ids[1]]).get(ids[1])!;
    store.captions.action('Edit caption', (op) => store.captions.edit(c.id, 'a cat asleep on a sofa', op));
    store.captions.undo();
    const edits = () => store.captions.history(ids[1]).filter((h) => h.kind === 'edit');
    expect(edits().map((h) => [h.newText, h.undone])).toEqual([['a cat asleep on a sofa', true]]);
    store.captions.redo();
    expect(edits().map((h) => h.undone)).toEqual([false]);
  });
});
