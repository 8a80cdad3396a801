// Batch caption operations over a scope (selection, collection, everything): find & replace with
// a preview of every change, and prefix/suffix/status edits; each applied as one undoable step.
// A user's regular expression runs in a worker thread with a time budget (text/regex-worker.ts);
// results follow the caption text rule (trimmed, within the length limit), shown in the preview.
import type { ApiMethods } from '../../shared/api';
import { AppError } from '../../shared/result';
import type { CaptionChange, FindReplaceArgs } from '../../shared/types';
import type { Store } from '../db/index';
import { MAX_CAPTION_CHARS } from '../text/caption-text';
import { replaceInWorker } from '../text/regex-worker';
import type { EventBus } from './events';
import type { Jobs } from './imports';

/** A caption produced by an edit, under the caption text rule: trimmed, and refused when too long. */
function ruledResult(text: string, captionId: number): string {
  const t = text.trim();
  if (t.length > MAX_CAPTION_CHARS)
    throw new AppError(
      'invalid_argument',
      `Caption ${captionId} would become ${t.length.toLocaleString('en')} characters long, over the ` +
        `${MAX_CAPTION_CHARS.toLocaleString('en')}-character limit; nothing was changed.`,
    );
  return t;
}

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Builds the matcher; literal text is escaped, whole words use Unicode letter boundaries. */
export function buildMatcher(
  a: Pick<FindReplaceArgs, 'find' | 'regex' | 'caseSensitive' | 'wholeWord'>,
): RegExp {
  if (a.find === '') throw new AppError('invalid_argument', 'Type the text to find.');
  let source = a.regex ? a.find : escapeRegex(a.find);
  if (a.wholeWord) source = `(?<![\\p{L}\\p{N}_])(?:${source})(?![\\p{L}\\p{N}_])`;
  try {
    return new RegExp(source, `g${a.caseSensitive ? '' : 'i'}u`);
  } catch (e) {
    throw new AppError('invalid_argument', `That is not a valid regular expression: ${(e as Error).message}`);
  }
}

/** The text after replacement; in literal mode `$` in the replacement is taken literally. */
export function replaceAll(text: string, re: RegExp, replacement: string, regex: boolean): string {
  re.lastIndex = 0;
  return regex ? text.replace(re, replacement) : text.replace(re, () => replacement);
}

type Handlers = {
  'captions.findReplace': (
    a: ApiMethods['captions.findReplace']['args'],
  ) => Promise<ApiMethods['captions.findReplace']['result']>;
  'captions.batch': (a: ApiMethods['captions.batch']['args']) => ApiMethods['captions.batch']['result'];
};

export function batchService(store: Store, bus: EventBus, jobs: Jobs, budgetMs?: number): Handlers {
  const { captions } = store;
  const changedImages = (changes: { imageId: number }[]) => {
    if (changes.length)
      bus.emit('library.changed', { imageIds: [...new Set(changes.map((c) => c.imageId))] });
  };
  return {
    'captions.findReplace': async (a) => {
      const re = buildMatcher(a);
      const chosen = a.captionIds ? new Set(a.captionIds) : null;
      const changes: CaptionChange[] = [];
      let skippedEmpty = 0;
      const scope = captions.inScope(a.scope, a.status).filter((c) => !chosen || chosen.has(c.id));
      let results: string[];
      if (a.regex) {
        // A user's pattern may backtrack for ever: match off this thread, within a time budget.
        const job = jobs.start(a.jobId);
        try {
          results = await replaceInWorker(
            {
              source: re.source,
              flags: re.flags,
              replacement: a.replace,
              patterns: true,
              texts: scope.map((c) => c.text),
            },
            { signal: job.signal, budgetMs },
          );
        } finally {
          job.end();
        }
      } else {
        results = scope.map((c) => replaceAll(c.text, re, a.replace, false));
      }
      for (const [i, c] of scope.entries()) {
        if (results[i] === c.text) continue;
        const after = ruledResult(results[i], c.id);
        if (after === c.text) continue;
        if (after.trim() === '') skippedEmpty++;
        else changes.push({ captionId: c.id, imageId: c.imageId, before: c.text, after });
      }
      if (!a.apply || changes.length === 0) return { changes, skippedEmpty, applied: false, opId: null };
      const label = `Replace “${a.find}” with “${a.replace}” (${changes.length})`;
      const opId = captions.action(label, (op) => {
        for (const ch of changes) captions.edit(ch.captionId, ch.after, op);
        return op;
      });
      changedImages(changes);
      return { changes, skippedEmpty, applied: true, opId };
    },
    'captions.batch': (a) => {
      if (!a.prefix && !a.suffix && !a.status) {
        throw new AppError('invalid_argument', 'Say what to change: a prefix, a suffix or a status.');
      }
      const targets = captions.inScope(a.scope, a.onlyStatus);
      if (targets.length === 0) return { changed: 0, opId: null };
      let changed = 0;
      const parts = [a.prefix && 'prefix', a.suffix && 'suffix', a.status && `status ${a.status}`].filter(
        Boolean,
      );
      const opId = captions.action(`Batch ${parts.join(', ')} (${targets.length})`, (op) => {
        for (const c of targets) {
          const text = ruledResult(`${a.prefix ?? ''}${c.text}${a.suffix ?? ''}`, c.id);
          let touched = false;
          if (text !== c.text) touched = captions.edit(c.id, text, op).text !== c.text || touched;
          if (a.status && a.status !== c.status)
            touched = captions.setStatus(c.id, a.status, op).status !== c.status || touched;
          if (touched) changed++;
        }
        return op;
      });
      changedImages(targets);
      return { changed, opId };
    },
  };
}
