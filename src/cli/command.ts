// The shape of a CLI command, and the shared option parsing every command uses.
import { parseArgs, type ParseArgsConfig } from 'node:util';

export interface Command {
  name: string;
  summary: string;
  usage: string;
  /** More help after the usage line of `<command> --help` (e.g. the models and their settings). */
  details?(): string;
  run(argv: string[]): Promise<number>;
}

export class UsageError extends Error {}

type Options = NonNullable<ParseArgsConfig['options']>;

/** Parses argv against the options given; unknown options are a UsageError that names them. */
export function parse<O extends Options>(argv: string[], options: O, allowPositionals = true) {
  try {
    return parseArgs({ args: argv, options, allowPositionals, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/** A whole-number option: the default when absent (required when there is none), else a UsageError. */
export function intOption(name: string, v: string | undefined, dflt?: number, min = 0): number {
  if (v === undefined) {
    if (dflt === undefined) throw new UsageError(`--${name} is required.`);
    return dflt;
  }
  if (!/^\d+$/.test(v) || Number(v) < min)
    throw new UsageError(`--${name} takes a whole number${min ? ` ≥ ${min}` : ''} (got '${v}').`);
  return Number(v);
}
