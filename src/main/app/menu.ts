// The application menu as a pure template: every command of the app with the shortcut the page
// already handles (shown in the menu, not registered, so a key is never handled twice); choosing
// an item sends its command to the window (event app.command). Only types come from electron.
import type { MenuItemConstructorOptions } from 'electron';
import type { AppCommand } from '../../shared/api';

interface Command {
  label: string;
  command: AppCommand;
  accelerator?: string;
}

/** Commands whose keys the page handles itself (in serve mode too, where there is no menu). */
export const PAGE_KEYS: ReadonlySet<AppCommand> = new Set<AppCommand>([
  'undo',
  'redo',
  'selectAll',
  'findReplace',
  'search',
  'approve',
  'reject',
  'draft',
  'shortcuts',
]);

const item = (c: Command, send: (command: AppCommand) => void): MenuItemConstructorOptions => ({
  label: c.label,
  accelerator: c.accelerator,
  registerAccelerator: !PAGE_KEYS.has(c.command),
  click: () => send(c.command),
});

/** File, Edit, View, Help (and the app menu on macOS); `send` delivers a command to the window. */
export function menuTemplate(
  platform: NodeJS.Platform,
  send: (command: AppCommand) => void,
): MenuItemConstructorOptions[] {
  const mac = platform === 'darwin';
  const cmd = (c: Command) => item(c, send);
  const file: MenuItemConstructorOptions = {
    label: 'File',
    submenu: [
      cmd({ label: 'Import…', command: 'import', accelerator: 'CmdOrCtrl+O' }),
      cmd({ label: 'Export…', command: 'export', accelerator: 'CmdOrCtrl+E' }),
      // On macOS, Quit is in the app menu.
      ...(mac ? [] : [{ type: 'separator' } as const, { role: 'quit' } as const]),
    ],
  };
  const edit: MenuItemConstructorOptions = {
    label: 'Edit',
    submenu: [
      cmd({ label: 'Undo', command: 'undo', accelerator: 'CmdOrCtrl+Z' }),
      cmd({ label: 'Redo', command: 'redo', accelerator: 'CmdOrCtrl+Shift+Z' }),
      { type: 'separator' },
      { role: 'cut' },
      { role: 'copy' },
      { role: 'paste' },
      { type: 'separator' },
      cmd({ label: 'Select All Images', command: 'selectAll', accelerator: 'CmdOrCtrl+A' }),
      cmd({ label: 'Find & Replace…', command: 'findReplace', accelerator: 'CmdOrCtrl+H' }),
      cmd({ label: 'Search', command: 'search', accelerator: '/' }),
      { type: 'separator' },
      cmd({ label: 'Approve', command: 'approve', accelerator: 'A' }),
      cmd({ label: 'Reject', command: 'reject', accelerator: 'R' }),
      cmd({ label: 'Back to Draft', command: 'draft', accelerator: 'D' }),
    ],
  };
  const view: MenuItemConstructorOptions = {
    label: 'View',
    submenu: [
      cmd({ label: 'Library', command: 'view.library', accelerator: 'CmdOrCtrl+1' }),
      cmd({ label: 'Caption', command: 'view.caption', accelerator: 'CmdOrCtrl+2' }),
      cmd({ label: 'Runs', command: 'view.runs', accelerator: 'CmdOrCtrl+3' }),
      cmd({ label: 'Settings', command: 'view.settings', accelerator: 'CmdOrCtrl+,' }),
      { type: 'separator' },
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      { type: 'separator' },
      { role: 'togglefullscreen' },
      { role: 'toggleDevTools' },
    ],
  };
  const help: MenuItemConstructorOptions = {
    role: 'help',
    submenu: [cmd({ label: 'Keyboard Shortcuts', command: 'shortcuts', accelerator: 'Shift+/' })],
  };
  const appMenu: MenuItemConstructorOptions = {
    label: 'Caption Studio',
    submenu: [
      { role: 'about' },
      { type: 'separator' },
      { role: 'hide' },
      { role: 'hideOthers' },
      { role: 'unhide' },
      { type: 'separator' },
      { role: 'quit' },
    ],
  };
  return mac ? [appMenu, file, edit, view, { role: 'windowMenu' }, help] : [file, edit, view, help];
}
