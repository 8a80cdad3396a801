// True captions for a shapes scene, in varied wording: every attribute and relation a caption
// states holds in the scene (the scorer checks this), and the wording varies like five human
// references would.
import { pick, shuffled, type Rng } from '../../util/rng';
import type { Relation, Scene, SceneObject } from './scene';

export const RELATION_PHRASES: Record<Relation, readonly string[]> = {
  'left-of': ['left of', 'to the left of'],
  'right-of': ['right of', 'to the right of'],
  above: ['above'],
  below: ['below'],
};

/** "a small red circle" ("an orange …"), or without the size ("a red circle") when `full` is false. */
export function phrase(o: SceneObject, full = true): string {
  const w = words(o, full);
  return `${/^[aeiou]/.test(w) ? 'an' : 'a'} ${w}`;
}

/** "small red circle" (no article). */
export const words = (o: SceneObject, full = true): string =>
  full ? `${o.size} ${o.colour} ${o.shape}` : `${o.colour} ${o.shape}`;

/** "A left of B" with a relation that holds between objects i and j (a random one if several). */
function relate(scene: Scene, rng: Rng, i: number, j: number, full: boolean): string {
  const facts = scene.relations.filter((r) => r.subject === i && r.object === j);
  const fact = pick(rng, facts);
  const [a, b] = [scene.objects[i], scene.objects[j]];
  return `${phrase(a, full)} ${pick(rng, RELATION_PHRASES[fact.relation])} ${phrase(b, full)}`;
}

type Template = (scene: Scene, rng: Rng) => string;

const ONE: Template[] = [
  (s) => phrase(s.objects[0]),
  (s) => phrase(s.objects[0], false),
  (s) => `${phrase(s.objects[0])} on a plain background`,
  (s) => `one ${words(s.objects[0])}`,
  (s) => `there is ${phrase(s.objects[0])}`,
  (s) => `a single ${words(s.objects[0])}`,
];

const TWO: Template[] = [
  (s, r) => relate(s, r, 0, 1, true),
  (s, r) => relate(s, r, 1, 0, true),
  (s, r) => relate(s, r, 0, 1, false),
  (s, r) => relate(s, r, 1, 0, false),
  (s) => `two shapes: ${phrase(s.objects[0])} and ${phrase(s.objects[1])}`,
  (s) => `${phrase(s.objects[1])} and ${phrase(s.objects[0])}`,
];

const THREE: Template[] = [
  (s) => `three shapes: ${phrase(s.objects[0])}, ${phrase(s.objects[1])} and ${phrase(s.objects[2])}`,
  (s, r) => `${relate(s, r, 0, 1, true)}, and ${phrase(s.objects[2])}`,
  (s, r) => `${relate(s, r, 2, 0, true)} and ${phrase(s.objects[1])}`,
  (s, r) => `${relate(s, r, 1, 2, false)}, with ${phrase(s.objects[0], false)}`,
  (s) => `${phrase(s.objects[2], false)}, ${phrase(s.objects[1], false)} and ${phrase(s.objects[0], false)}`,
  (s, r) => `${phrase(s.objects[1])}, and ${relate(s, r, 2, 0, false)}`,
];

/** `n` distinct true captions of the scene (fewer only if the templates run out). */
export function describeScene(scene: Scene, rng: Rng, n = 5): string[] {
  const templates = [ONE, TWO, THREE][scene.objects.length - 1];
  const out: string[] = [];
  for (const t of shuffled(rng, templates)) {
    const c = t(scene, rng);
    if (!out.includes(c)) out.push(c);
    if (out.length === n) break;
  }
  return out;
}
