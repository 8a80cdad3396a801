// The virtualised grid over serve mode on 300 shapes images: a fling shows grey plates for the rows
// it passes and loads the thumbnails of the rows it stops on; keyboard navigation keeps the focused
// card on screen; Ctrl+A selects the whole list.
import { assert, screenshot } from './harness.mjs';
import { startServe } from './serve.mjs';

export const setup = () => startServe({ shapes: 300 });
export const teardown = (suite) => suite.stop();

/** Thumbnails on cards that are on screen: [cards, of which with a loaded image]. */
const onScreen = (page) =>
  page.evaluate(() => {
    const vp = document.querySelector('[role=grid]').getBoundingClientRect();
    const cards = [...document.querySelectorAll('.card[data-image-id]')].filter((c) => {
      const r = c.getBoundingClientRect();
      return r.bottom > vp.top && r.top < vp.bottom;
    });
    const loaded = cards.filter((c) => {
      const img = c.querySelector('img');
      return img && img.complete && img.naturalWidth > 0;
    });
    return [cards.length, loaded.length];
  });

export const tests = [
  {
    name: 'a fling passes rows as plates; where it stops, every card on screen gets its thumbnail',
    async run({ page, suite }) {
      await page.goto(suite.url);
      await page.getByText('300 images').waitFor();
      // 120 px a frame for 20 frames: rows that come in mid-fling have no image yet.
      const during = await page.evaluate(async () => {
        const vp = document.querySelector('[role=grid]');
        let plates = 0;
        for (let i = 0; i < 20; i++) {
          vp.scrollTop += 120;
          await new Promise((r) => requestAnimationFrame(r));
          plates = Math.max(plates, document.querySelectorAll('.card[data-image-id] .thumb:empty').length);
        }
        return { plates, top: vp.scrollTop };
      });
      assert(during.top >= 2000, `the grid scrolled (${during.top} px)`);
      assert(during.plates > 0, 'rows that came in during the fling showed plates');
      await page.waitForFunction(() => {
        const vp = document.querySelector('[role=grid]').getBoundingClientRect();
        const cards = [...document.querySelectorAll('.card[data-image-id]')].filter((c) => {
          const r = c.getBoundingClientRect();
          return r.bottom > vp.top && r.top < vp.bottom;
        });
        return cards.length > 0 && cards.every((c) => c.querySelector('img')?.complete);
      });
      const [cards, loaded] = await onScreen(page);
      assert(cards >= 6 && loaded === cards, `all ${cards} cards on screen have thumbnails (${loaded})`);
      await screenshot(page, 'grid');
    },
  },
  {
    name: 'a slow scroll loads thumbnails as rows come in; End and Home move the focus and the view',
    async run({ page, suite }) {
      await page.goto(suite.url);
      await page.getByText('300 images').waitFor();
      await page.evaluate(async () => {
        const vp = document.querySelector('[role=grid]');
        for (let i = 0; i < 40; i++) {
          vp.scrollTop += 20;
          await new Promise((r) => requestAnimationFrame(r));
        }
      });
      // No pause needed: at 1,200 px/s the rows already have their images requested.
      const requested = await page.evaluate(
        () => document.querySelectorAll('.card[data-image-id] .thumb img').length,
      );
      const [cards] = await onScreen(page);
      assert(requested >= cards, `images requested while scrolling slowly (${requested} for ${cards})`);

      await page.locator('[role=grid]').focus();
      await page.keyboard.press('End');
      await page.locator('.card.focused[data-image-id]').waitFor();
      const last = await page.evaluate(() => {
        const vp = document.querySelector('[role=grid]');
        const f = document.querySelector('.card.focused').getBoundingClientRect();
        const v = vp.getBoundingClientRect();
        return {
          inView: f.top >= v.top && f.bottom <= v.bottom + 1,
          atEnd: vp.scrollTop + vp.clientHeight >= vp.scrollHeight - 2,
        };
      });
      assert(last.inView && last.atEnd, 'End scrolls to the last card and focuses it');
      await page.keyboard.press('Home');
      await page.waitForFunction(() => document.querySelector('[role=grid]').scrollTop === 0);
      const first = await page.locator('.card.focused').getAttribute('data-image-id');
      assert(first !== null, 'Home focuses the first card');
    },
  },
  {
    name: 'Ctrl+A selects every image of the list, also the ones not loaded yet',
    async run({ page, suite }) {
      await page.goto(suite.url);
      await page.getByText('300 images').waitFor();
      await page.locator('[role=grid]').focus();
      await page.keyboard.press('Control+a');
      await page.getByText('300 selected').waitFor();
      await page.getByRole('button', { name: 'Clear selection' }).click();
      await page.getByLabel('Search captions').fill('circle');
      await page.waitForFunction(
        () => !/^300 /.test(document.querySelector('[data-testid=count]').textContent),
      );
      const count = Number((await page.getByTestId('count').textContent()).split(' ')[0]);
      assert(count > 0 && count < 300, `some shapes have circles (${count})`);
      await page.locator('[role=grid]').focus();
      await page.keyboard.press('Control+a');
      await page.getByText(`${count} selected`).waitFor();
    },
  },
];
