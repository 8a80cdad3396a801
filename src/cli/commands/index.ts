// The registry of CLI commands; each command lives in its own file beside this one.
import type { Command } from '../command';
import { doctor } from './doctor';
import { importCmd } from './import';
import { dataset } from './dataset';
import { serve } from './serve';
import { evalCommand } from './eval';
import { exportCmd } from './export';
import { healthCmd } from './health';

export const commands: Command[] = [doctor, importCmd, dataset, serve, evalCommand, exportCmd, healthCmd];
