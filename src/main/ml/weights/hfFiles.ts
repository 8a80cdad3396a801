// Bounded reads of a Hugging Face model folder: small JSON files with a size cap, and the folder's
// safetensors weights (one model.safetensors or shards listed by model.safetensors.index.json).
import { existsSync, readFileSync, statSync } from 'node:fs';
import { readBoundedSync } from '../../files/bounded';
import { basename, join } from 'node:path';
import { AppError } from '../../../shared/result';
import { openSafetensors, type SafetensorsOnDisk } from './safetensorsFile';
import type { TensorInfo } from './safetensors';

/** Config, tokenizer and preprocessor JSON files are small; GPT-2's vocab.json is ≈ 1 MB. */
export const MAX_JSON_BYTES = 64 * 2 ** 20;

/** A regular file's bytes, refused above `maxBytes` (checked with fstat before reading). */
export function readCapped(path: string, maxBytes: number): Uint8Array {
  return readBoundedSync(path, maxBytes, 'file');
}

export function readJsonCapped(path: string, maxBytes = MAX_JSON_BYTES): unknown {
  const text = new TextDecoder().decode(readCapped(path, maxBytes));
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new AppError('invalid_argument', `${path} is not valid JSON: ${(e as Error).message}`);
  }
}

/** The JSON of `dir/name`, or undefined when the file does not exist. */
export function readJsonIfPresent(dir: string, name: string): unknown {
  const p = join(dir, name);
  return existsSync(p) ? readJsonCapped(p) : undefined;
}

export interface StoredTensor {
  file: SafetensorsOnDisk;
  info: TensorInfo;
}

export interface FolderWeights {
  /** Every tensor name stored in the folder, with the file that holds it. */
  tensors: Map<string, StoredTensor>;
  files: SafetensorsOnDisk[];
  close(): void;
}

/**
 * Opens a folder's safetensors weights (headers only). A sharded index must name plain files in
 * the folder and agree with the shards' headers. pytorch_model.bin (pickle) is refused with advice.
 */
export function openFolderWeights(dir: string): FolderWeights {
  const single = join(dir, 'model.safetensors');
  const indexPath = join(dir, 'model.safetensors.index.json');
  const files: SafetensorsOnDisk[] = [];
  const tensors = new Map<string, StoredTensor>();
  const close = () => files.forEach((f) => f.close());
  try {
    if (existsSync(single)) {
      const f = openSafetensors(single);
      files.push(f);
      for (const n of f.names) tensors.set(n, { file: f, info: f.infos.get(n)! });
    } else if (existsSync(indexPath)) {
      const idx = readJsonCapped(indexPath) as { weight_map?: unknown };
      const map = idx?.weight_map;
      if (!map || typeof map !== 'object' || Array.isArray(map))
        throw new AppError('invalid_argument', `${indexPath} has no "weight_map" object.`);
      const byFile = new Map<string, string[]>();
      for (const [name, file] of Object.entries(map as Record<string, unknown>)) {
        if (
          typeof file !== 'string' ||
          basename(file) !== file ||
          file === '..' ||
          !file.endsWith('.safetensors')
        )
          throw new AppError(
            'invalid_argument',
            `${indexPath}: "${name}" points to ${JSON.stringify(file)}; shards must be .safetensors files in the same folder.`,
          );
        byFile.set(file, [...(byFile.get(file) ?? []), name]);
      }
      for (const [file, names] of byFile) {
        const f = openSafetensors(join(dir, file));
        files.push(f);
        const listed = new Set(names);
        for (const n of names)
          if (!f.infos.has(n))
            throw new AppError(
              'invalid_argument',
              `${indexPath} puts "${n}" in ${file}, which does not hold it.`,
            );
        for (const n of f.names)
          if (!listed.has(n))
            throw new AppError('invalid_argument', `${file} holds "${n}", which ${indexPath} does not list.`);
        for (const n of names) tensors.set(n, { file: f, info: f.infos.get(n)! });
      }
    } else if (
      existsSync(join(dir, 'pytorch_model.bin')) ||
      existsSync(join(dir, 'pytorch_model.bin.index.json'))
    )
      throw new AppError(
        'unsupported',
        `${dir} has only PyTorch pickle weights (pytorch_model.bin), which are not read (pickles can run code). ` +
          "Download the repository's model.safetensors, or convert once with the safetensors library " +
          '(save_pretrained(..., safe_serialization=True)).',
      );
    else
      throw new AppError(
        'not_found',
        `${dir} has no model.safetensors and no model.safetensors.index.json; point to a Hugging Face model folder.`,
      );
  } catch (e) {
    close();
    throw e;
  }
  return { tensors, files, close };
}

/**
 * A model folder, or the snapshot a huggingface_hub cache entry (`models--owner--name`, holding
 * `refs/` and `snapshots/`) points to: `refs/main` (or the only snapshot) is followed.
 */
export function resolveModelDir(dir: string): string {
  if (existsSync(join(dir, 'config.json')) || !existsSync(join(dir, 'snapshots'))) return dir;
  const ref = join(dir, 'refs', 'main');
  if (existsSync(ref) && statSync(ref).isFile() && statSync(ref).size <= 256) {
    const commit = readFileSync(ref, 'utf8').trim();
    if (/^[0-9a-f]{40}$/.test(commit) && existsSync(join(dir, 'snapshots', commit)))
      return join(dir, 'snapshots', commit);
  }
  throw new AppError(
    'invalid_argument',
    `${dir} looks like a huggingface_hub cache entry without refs/main; point to one of its snapshots/<commit> folders.`,
  );
}
