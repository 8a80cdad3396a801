// The error every image operation throws for a bad file: a reason category a report can group by,
// and a message that says what to do.
import { AppError, type ErrorCode } from '../../shared/result';
import type { ImportFailureReason } from '../../shared/types';

const CODES: Record<ImportFailureReason, ErrorCode> = {
  empty: 'invalid_argument',
  truncated: 'invalid_argument',
  corrupt: 'invalid_argument',
  'not-an-image': 'invalid_argument',
  'too-large': 'invalid_argument',
  unsupported: 'unsupported',
  encoding: 'invalid_argument',
  unreadable: 'io',
  'disk-full': 'io',
};

export class ImageError extends AppError {
  constructor(
    readonly reason: ImportFailureReason,
    message: string,
  ) {
    super(CODES[reason], message, { reason });
    this.name = 'ImageError';
  }
}

/** Maps a libvips/sharp failure message to a reason category. */
export function classifySharpError(message: string): ImportFailureReason {
  if (/pixel limit/i.test(message)) return 'too-large';
  if (
    /premature end|truncat|unexpected end|end of (file|stream)|read error|not enough data|short read/i.test(
      message,
    )
  )
    return 'truncated';
  if (/unsupported image format/i.test(message)) return 'not-an-image';
  return 'corrupt';
}
