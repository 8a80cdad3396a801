#!/usr/bin/env node
// caption-studio: the command line over the same core services as the app and the server.
import { commands } from './commands/index';
import { UsageError } from './command';
import { AppError } from '../shared/result';

const VERSION = '0.1.0';

function help(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    `caption-studio ${VERSION}: caption photos, curate caption datasets, train and compare captioners.`,
    '',
    'Usage: caption-studio <command> [options]   (caption-studio <command> --help for its options)',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Every command that uses a library takes --db FILE (default: the user data folder).',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(help());
    return name ? 0 : 1;
  }
  if (name === '--version' || name === '-v') {
    console.log(VERSION);
    return 0;
  }
  const cmd = commands.find((c) => c.name === name);
  if (!cmd) {
    console.error(`Unknown command '${name}'.\n\n${help()}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    const more = cmd.details ? `\n\n${cmd.details()}` : '';
    console.log(`${cmd.summary}\n\nUsage: caption-studio ${cmd.usage}${more}`);
    return 0;
  }
  try {
    return await cmd.run(rest);
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`${e.message}\nUsage: caption-studio ${cmd.usage}`);
      return 2;
    }
    if (e instanceof AppError) {
      console.error(`error (${e.code}): ${e.message}`);
      return 1;
    }
    throw e;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    console.error(e instanceof Error ? (e.stack ?? e.message) : e);
    process.exitCode = 1;
  },
);
