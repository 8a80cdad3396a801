// The menu template: every command reachable, each shortcut valid, unique and matching what the
// page handles, the platform's conventions (app menu on macOS, Quit in File elsewhere).
import { describe, expect, it } from 'vitest';
import type { MenuItemConstructorOptions } from 'electron';
import type { AppCommand } from '../../shared/api';
import { keyOf } from '../../renderer/src/lib/commands';
import { menuTemplate, PAGE_KEYS } from './menu';

const flat = (items: MenuItemConstructorOptions[]): MenuItemConstructorOptions[] =>
  items.flatMap((i) => [i, ...(Array.isArray(i.submenu) ? flat(i.submenu) : [])]);

// Electron's accelerator grammar: modifiers joined by '+', then one key code.
const MODIFIER = /^(CmdOrCtrl|CommandOrControl|Command|Cmd|Control|Ctrl|Alt|Option|AltGr|Shift|Super|Meta)$/;
const KEY =
  /^([A-Z0-9]|F([1-9]|1[0-9]|2[0-4])|[)!@#$%^&*(:;+=<,_\-.>?/~`{\][|\\}"']|Plus|Space|Tab|Backspace|Delete|Insert|Return|Enter|Up|Down|Left|Right|Home|End|PageUp|PageDown|Escape|Esc)$/;

function validAccelerator(a: string): boolean {
  const parts = a.split('+');
  const key = parts.pop()!;
  return KEY.test(key) && parts.every((p) => MODIFIER.test(p)) && new Set(parts).size === parts.length;
}

describe('menuTemplate', () => {
  for (const platform of ['darwin', 'linux', 'win32'] as const) {
    it(`on ${platform}: valid, unique shortcuts; every item sends its command`, () => {
      const sent: AppCommand[] = [];
      const items = flat(menuTemplate(platform, (c) => sent.push(c)));
      const withKeys = items.filter((i) => i.accelerator);
      for (const i of withKeys)
        expect(validAccelerator(String(i.accelerator)), String(i.accelerator)).toBe(true);
      const keys = withKeys.map((i) => `${i.accelerator}`);
      expect(new Set(keys).size, keys.join(' ')).toBe(keys.length);
      const commands = items.filter((i) => i.click);
      for (const i of commands) (i.click as () => void)();
      expect(sent).toHaveLength(commands.length);
      expect(new Set(sent)).toEqual(
        new Set<AppCommand>([
          'import',
          'export',
          'undo',
          'redo',
          'selectAll',
          'findReplace',
          'search',
          'approve',
          'reject',
          'draft',
          'view.library',
          'view.caption',
          'view.runs',
          'view.settings',
          'shortcuts',
        ]),
      );
    });
  }

  it('shows the shortcuts the page handles without registering them (a key is handled once)', () => {
    const byCommand = new Map<AppCommand, MenuItemConstructorOptions>();
    const sent: AppCommand[] = [];
    for (const i of flat(menuTemplate('linux', (c) => sent.push(c)))) {
      if (!i.click) continue;
      (i.click as () => void)();
      byCommand.set(sent.at(-1)!, i);
    }
    const accel = (c: AppCommand) => byCommand.get(c)?.accelerator;
    // The keys of the page (App.svelte, Library.svelte, the shortcut sheet).
    expect(accel('undo')).toBe('CmdOrCtrl+Z');
    expect(accel('redo')).toBe('CmdOrCtrl+Shift+Z');
    expect(accel('selectAll')).toBe('CmdOrCtrl+A');
    expect(accel('findReplace')).toBe('CmdOrCtrl+H');
    expect([accel('approve'), accel('reject'), accel('draft'), accel('search')]).toEqual([
      'A',
      'R',
      'D',
      '/',
    ]);
    for (const [command, i] of byCommand)
      expect(i.registerAccelerator, command).toBe(!PAGE_KEYS.has(command));
    expect(byCommand.get('import')!.registerAccelerator).toBe(true);
    // Choosing such an item replays exactly its key in the page.
    for (const command of PAGE_KEYS) {
      const k = keyOf(command)!;
      const mods = [k.ctrlKey && 'CmdOrCtrl', k.shiftKey && k.key !== '?' && 'Shift'].filter(Boolean);
      const key = k.key === '?' ? 'Shift+/' : k.key!.toUpperCase();
      expect(accel(command), command).toBe([...mods, key].join('+'));
    }
    expect(keyOf('import')).toBeNull();
  });

  it('puts the app menu first on macOS and Quit in File elsewhere', () => {
    const mac = menuTemplate('darwin', () => {});
    expect(mac[0].label).toBe('Caption Studio');
    expect(flat(mac).filter((i) => i.role === 'quit')).toHaveLength(1);
    const linux = menuTemplate('linux', () => {});
    expect(linux.map((m) => m.label ?? m.role)).toEqual(['File', 'Edit', 'View', 'help']);
    const file = linux[0].submenu as MenuItemConstructorOptions[];
    expect(file.at(-1)!.role).toBe('quit');
  });
});
