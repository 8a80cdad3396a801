// `caption-studio doctor`: which compute backend this machine gets, why not the others, and how to
// get the native one.
import type { Command } from '../command';
import { parse } from '../command';
import { nodeLoader, selectBackend, type Purpose } from '../../main/ml/backend';

export const doctor: Command = {
  name: 'doctor',
  summary: 'Show the compute backend chosen for training and inference, and why',
  usage: 'doctor [--purpose train|inference] [--json]',
  async run(argv) {
    const { values } = parse(
      argv,
      { purpose: { type: 'string', default: 'train' }, json: { type: 'boolean' } },
      false,
    );
    const purpose = values.purpose as Purpose;
    if (purpose !== 'train' && purpose !== 'inference') throw new Error('--purpose is train or inference');
    let info;
    try {
      info = await selectBackend(nodeLoader(), purpose);
    } catch (e) {
      console.error((e as Error).message);
      return 1;
    }
    if (values.json) {
      console.log(JSON.stringify(info, null, 2));
      return 0;
    }
    console.log(`Backend for ${purpose}: ${info.chosen}`);
    for (const c of info.candidates) {
      const mark = c.name === info.chosen ? '*' : ' ';
      console.log(` ${mark} ${c.name.padEnd(15)} ${c.reason ?? 'chosen'}`);
    }
    if (info.warning) console.log(`\nwarning: ${info.warning}`);
    if (info.advice) console.log(`\n${info.advice}`);
    return 0;
  },
};
