// The registry of CLI commands; each command lives in its own file beside this one.
import type { Command } from '../command';
import { doctor } from './doctor';
import { importCmd } from './import';
import { dataset } from './dataset';
import { serve } from './serve';
import { evalCommand } from './eval';
import { exportCmd } from './export';
import { healthCmd } from './health';
import { trainCmd } from './train';
import { runsCmd } from './runs';
import { captionCmd } from './caption';
import { studyCmd } from './study';
import { demo } from './demo';
import { weightsCmd } from './weights';
import { inspectCmd } from './inspect';

export const commands: Command[] = [
  doctor,
  importCmd,
  dataset,
  serve,
  evalCommand,
  exportCmd,
  healthCmd,
  trainCmd,
  runsCmd,
  captionCmd,
  studyCmd,
  demo,
  weightsCmd,
  inspectCmd,
];
