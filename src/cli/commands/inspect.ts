// `caption-studio inspect CHECKPOINT_DIR --image IMG --decoder-ids 50256,64,3797 --out out.json`:
// one forward pass of a Hugging Face ViT-GPT2 checkpoint, every intermediate written as JSON arrays
// with their shapes, to compare with a Python pipeline number by number.
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from '../command';
import { parse, UsageError } from '../command';
import { decodeFile } from '../../main/images/decode';
import { nodeLoader, selectBackend } from '../../main/ml/backend';
import { readHfVitGpt2 } from '../../main/ml/weights/hfVitGpt2';
import { inspectVitGpt2, parseDecoderIds } from '../../main/ml/weights/inspect';

export const inspectCmd: Command = {
  name: 'inspect',
  summary:
    "Write a ViT-GPT2 checkpoint's pixel values, encoder states, logits and attentions for one image as JSON",
  usage:
    'inspect CHECKPOINT_DIR | --encoder DIR --decoder DIR  --image IMG --decoder-ids 50256,64,3797 --out out.json ' +
    '[--encoder-attentions] [--seed S]',
  async run(argv) {
    const { values, positionals } = parse(argv, {
      image: { type: 'string' },
      'decoder-ids': { type: 'string' },
      out: { type: 'string' },
      encoder: { type: 'string' },
      decoder: { type: 'string' },
      'encoder-attentions': { type: 'boolean' },
      seed: { type: 'string' },
    });
    const joined = values.encoder !== undefined || values.decoder !== undefined;
    if (joined && (!values.encoder || !values.decoder || positionals.length))
      throw new UsageError('Give either CHECKPOINT_DIR, or both --encoder DIR and --decoder DIR.');
    if (!joined && positionals.length !== 1) throw new UsageError('Give one CHECKPOINT_DIR.');
    if (!values.image) throw new UsageError('Give --image IMG.');
    if (!values['decoder-ids']) throw new UsageError('Give --decoder-ids, e.g. 50256,64,3797.');
    if (!values.out) throw new UsageError('Give --out FILE.json.');
    const seed = values.seed === undefined ? 0 : Number(values.seed);
    if (!Number.isInteger(seed) || seed < 0) throw new UsageError('--seed is a whole number.');
    const model = joined
      ? readHfVitGpt2({ encoderDir: resolve(values.encoder!), decoderDir: resolve(values.decoder!) }, seed)
      : readHfVitGpt2({ dir: resolve(positionals[0]) });
    for (const n of model.notes) console.error(`note: ${n}`);
    const ids = parseDecoderIds(
      values['decoder-ids'],
      model.arch.decoder.vocabSize,
      model.arch.decoder.positions,
    );
    const image = await decodeFile(resolve(values.image));
    await selectBackend(nodeLoader(), 'inference');
    const out = inspectVitGpt2(model, image, ids, { encoderAttentions: values['encoder-attentions'] });
    writeFileSync(resolve(values.out), JSON.stringify(out));
    const shape = (s: number[]) => `[${s.join(', ')}]`;
    console.log(
      [
        `pixel_values ${shape(out.pixel_values.shape)}`,
        `encoder_last_hidden_state ${shape(out.encoder_last_hidden_state.shape)}`,
        `logits ${shape(out.logits.shape)}`,
        `decoder_attentions ${out.decoder_attentions.length} × ${shape(out.decoder_attentions[0]?.shape ?? [])}`,
        `cross_attentions ${out.cross_attentions.length} × ${shape(out.cross_attentions[0]?.shape ?? [])}`,
        `→ ${resolve(values.out)}`,
      ].join('\n'),
    );
    return 0;
  },
};
