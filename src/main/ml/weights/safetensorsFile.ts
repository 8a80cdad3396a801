// A safetensors file read from disk in bounded pieces: the header first (checked against the file's
// size before anything else is allocated), then one tensor's bytes at a time.
import { closeSync, readSync } from 'node:fs';
import { openBoundedSync } from '../../files/bounded';
import { AppError } from '../../../shared/result';
import { decodeFloat32, headerLength, indexHeader, parseHeaderPrefix, type TensorInfo } from './safetensors';

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export interface SafetensorsOnDisk {
  path: string;
  size: number;
  metadata: Readonly<Record<string, string>>;
  names: string[];
  infos: ReadonlyMap<string, TensorInfo>;
  /** Reads and widens one tensor (F32/F16/BF16) to float32. */
  float32(name: string): Float32Array;
  close(): void;
}

/** Default cap on one safetensors file: 8 GiB (ViT-B + GPT-2 in float32 is ≈ 1 GB). */
export const MAX_SAFETENSORS_BYTES = 8 * 2 ** 30;

function readExactly(fd: number, length: number, position: number, path: string): Uint8Array {
  const buf = new Uint8Array(length);
  let done = 0;
  while (done < length) {
    const n = readSync(fd, buf, done, length - done, position + done);
    if (n === 0) throw new AppError('io', `${path} ended early (file changed while reading?).`);
    done += n;
  }
  return buf;
}

/** Opens a regular file, indexes its header against its size, and keeps the descriptor for reads. */
export function openSafetensors(path: string, maxBytes = MAX_SAFETENSORS_BYTES): SafetensorsOnDisk {
  const { fd, size } = openBoundedSync(path, maxBytes, 'safetensors file');
  try {
    const st = { size };
    const n = headerLength(readExactly(fd, Math.min(8, st.size), 0, path));
    if (8 + n > st.size)
      throw new AppError(
        'invalid_argument',
        `Not a valid safetensors file: ${path}: header runs past its end.`,
      );
    const { header, dataStart } = parseHeaderPrefix(readExactly(fd, 8 + n, 0, path));
    const { metadata, names, infos } = indexHeader(header, st.size - dataStart);
    let open = true;
    return {
      path,
      size: st.size,
      metadata,
      names,
      infos,
      float32(name) {
        const i = infos.get(name);
        if (!i) throw new AppError('not_found', `${path} has no tensor "${name}".`);
        if (!open) throw new AppError('internal', `${path} was closed.`);
        const raw = readExactly(fd, i.offsets[1] - i.offsets[0], dataStart + i.offsets[0], path);
        // F32 read into a fresh buffer is already float32 data: view it instead of copying again.
        if (i.dtype === 'F32' && LITTLE_ENDIAN) return new Float32Array(raw.buffer, 0, raw.byteLength / 4);
        return decodeFloat32(name, i.dtype, raw);
      },
      close() {
        if (open) closeSync(fd);
        open = false;
      },
    };
  } catch (e) {
    closeSync(fd);
    if (e instanceof AppError && /safetensors/.test(e.message) && !e.message.includes(path))
      throw new AppError(e.code, `${path}: ${e.message}`);
    throw e;
  }
}
