// The registry of CLI commands; each command lives in its own file beside this one.
import type { Command } from '../command';
import { doctor } from './doctor';

export const commands: Command[] = [doctor];
