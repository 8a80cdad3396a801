// Menu commands (Electron's menu sends them as app.command) carried out by the page. Commands whose
// key the page already handles are replayed as that key, so each action has one implementation.
import type { AppCommand } from '../../../shared/api';

const KEYS: Partial<Record<AppCommand, KeyboardEventInit>> = {
  undo: { key: 'z', ctrlKey: true },
  redo: { key: 'z', ctrlKey: true, shiftKey: true },
  selectAll: { key: 'a', ctrlKey: true },
  findReplace: { key: 'h', ctrlKey: true },
  search: { key: '/' },
  approve: { key: 'a' },
  reject: { key: 'r' },
  draft: { key: 'd' },
  shortcuts: { key: '?' },
};

/** The key a command stands for, or null when the page carries it out another way. */
export function keyOf(command: AppCommand): KeyboardEventInit | null {
  return KEYS[command] ?? null;
}

/** Replays a command's key on the window (where the views listen); false when it has none. */
export function replayKey(command: AppCommand, target: EventTarget = window): boolean {
  const init = keyOf(command);
  if (!init) return false;
  target.dispatchEvent(new KeyboardEvent('keydown', { ...init, bubbles: true, cancelable: true }));
  return true;
}
