// The renderer's own preferences (decoding defaults), kept in the page's localStorage: small, per
// machine, nothing the library needs.
const BEAM_KEY = 'caption-studio.beam';

/** The default beam width for captioning (1 = greedy), 3 unless the user chose another. */
export function defaultBeam(store: Pick<Storage, 'getItem'> | undefined = globalThis.localStorage): number {
  const n = Number(store?.getItem(BEAM_KEY));
  return Number.isInteger(n) && n >= 1 && n <= 20 ? n : 3;
}

export function setDefaultBeam(n: number, store: Pick<Storage, 'setItem'> = localStorage): void {
  if (Number.isInteger(n) && n >= 1 && n <= 20) store.setItem(BEAM_KEY, String(n));
}
