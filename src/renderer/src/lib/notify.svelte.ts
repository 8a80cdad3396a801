// The toast: one message at a time, optionally with Undo, gone after a few seconds.
export interface ToastMessage {
  message: string;
  undoable: boolean;
  id: number;
}

export class Notifier {
  current = $state<ToastMessage | null>(null);
  private timer: ReturnType<typeof setTimeout> | undefined;

  /** Shows a message (an arrow function, so it can be handed around unbound). */
  notify = (message: string, undoable = false): void => {
    clearTimeout(this.timer);
    this.current = { message, undoable, id: Date.now() };
    this.timer = setTimeout(() => (this.current = null), 6000);
  };
}
