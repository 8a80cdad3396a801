// Export names: safe characters, unique by stem and case.
import { describe, expect, it } from 'vitest';
import { safeName, uniqueNames } from './names';

describe('export names', () => {
  it('keeps ordinary names and replaces characters line formats cannot carry', () => {
    expect(safeName('/a/b/photo 1.jpg')).toBe('photo 1.jpg');
    expect(safeName('/a/tab\there.png')).toBe('tab_here.png');
    expect(safeName('/a/..')).toBe('image');
  });

  it('makes stems unique, ignoring case and extension', () => {
    const names = uniqueNames([
      { path: '/x/foo.jpg', hash: 'aaaaaaaa11' },
      { path: '/y/FOO.png', hash: 'bbbbbbbb22' },
      { path: '/z/foo.jpg', hash: 'cccccccc33' },
      { path: '/z/bar.jpg', hash: 'dddddddd44' },
    ]);
    expect(names).toEqual(['foo.jpg', 'FOO-bbbbbbbb.png', 'foo-cccccccc.jpg', 'bar.jpg']);
    expect(new Set(names.map((n) => n.replace(/\.[^.]+$/, '').toLowerCase())).size).toBe(4);
  });
});
