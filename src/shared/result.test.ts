// Errors become data with their code; unknown errors become `internal`.
import { describe, expect, it } from 'vitest';
import { AppError, fail, ok, toErrorData } from './result';

describe('result', () => {
  it('wraps values and failures', () => {
    expect(ok(3)).toEqual({ ok: true, value: 3 });
    expect(fail('not_found', 'No image 4.')).toEqual({
      ok: false,
      error: { code: 'not_found', message: 'No image 4.' },
    });
  });

  it('keeps the code of an AppError and hides nothing of its message', () => {
    expect(toErrorData(new AppError('conflict', 'Already there.', { id: 1 }))).toEqual({
      code: 'conflict',
      message: 'Already there.',
      details: { id: 1 },
    });
    expect(toErrorData(new TypeError('boom'))).toEqual({ code: 'internal', message: 'boom' });
    expect(toErrorData('plain')).toEqual({ code: 'internal', message: 'plain' });
  });
});
