// `caption-studio eval`: scores candidate captions against references with coco-caption's BLEU-1..4,
// ROUGE-L and CIDEr-D (no Java), prints the table and can write corpus and per-image scores as JSON.
import { writeFileSync } from 'node:fs';
import { READ_CAPS, readBoundedSync } from '../../main/files/bounded';
import { AppError } from '../../shared/result';
import type { Command } from '../command';
import { parse, UsageError } from '../command';
import { evaluate, METRIC_NAMES, type EvalInput, type Scores } from '../../main/ml/eval/index';

const LABELS: Record<keyof Scores, string> = {
  bleu1: 'BLEU-1',
  bleu2: 'BLEU-2',
  bleu3: 'BLEU-3',
  bleu4: 'BLEU-4',
  rougeL: 'ROUGE-L',
  ciderD: 'CIDEr-D',
  rouge1F: 'ROUGE-1 F (not coco)',
  rouge2F: 'ROUGE-2 F (not coco)',
};

function readJson(path: string, what: string): unknown {
  let text: string;
  try {
    text = readBoundedSync(path, READ_CAPS.dataset, `${what} file`).toString('utf8');
  } catch (e) {
    const missing = e instanceof AppError && e.code === 'not_found';
    throw new AppError(
      missing ? 'not_found' : e instanceof AppError ? e.code : 'io',
      missing ? `${what} file ${path} does not exist` : (e as Error).message,
    );
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new AppError('invalid_argument', `${what} file ${path} is not valid JSON: ${(e as Error).message}`);
  }
}

export const evalCommand: Command = {
  name: 'eval',
  summary: 'Score captions against references: BLEU-1..4, ROUGE-L, CIDEr-D as coco-caption computes them',
  usage:
    'eval --refs refs.json --cands cands.json [--json out.json] [--tokenized]\n' +
    '  refs.json:  {"<image id>": ["reference caption", …], …}\n' +
    '  cands.json: {"<image id>": "candidate caption", …}   (the same image ids)\n' +
    "  --tokenized: captions are already tokenised; skip coco-caption's PTB tokenisation",
  async run(argv) {
    const { values } = parse(
      argv,
      {
        refs: { type: 'string' },
        cands: { type: 'string' },
        json: { type: 'string' },
        tokenized: { type: 'boolean' },
      },
      false,
    );
    if (!values.refs || !values.cands) throw new UsageError('eval needs both --refs and --cands');
    const input = {
      refs: readJson(values.refs, 'References'),
      cands: readJson(values.cands, 'Candidates'),
    } as EvalInput;
    const t0 = performance.now();
    const result = evaluate(input, { tokenize: values.tokenized ? 'whitespace' : 'coco' });
    const ms = performance.now() - t0;

    const width = Math.max(...METRIC_NAMES.map((m) => LABELS[m].length));
    console.log(`${result.images} images, scored in ${ms.toFixed(0)} ms\n`);
    for (const m of METRIC_NAMES) console.log(`${LABELS[m].padEnd(width)}  ${result.corpus[m].toFixed(4)}`);
    if (values.json) {
      try {
        writeFileSync(values.json, JSON.stringify(result, null, 2) + '\n');
      } catch (e) {
        throw new AppError('io', `Cannot write ${values.json}: ${(e as Error).message}`);
      }
      console.log(`\nCorpus and per-image scores written to ${values.json}`);
    }
    return 0;
  },
};
