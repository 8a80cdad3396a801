// The `caption-studio` bin answers --help, lists its commands and rejects unknown ones.
import { execFileSync, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const bin = 'bin/caption-studio.js';

describe('caption-studio bin', () => {
  it('prints help listing the commands', () => {
    const out = execFileSync('node', [bin, '--help'], { encoding: 'utf8' });
    expect(out).toMatch(/Usage: caption-studio <command>/);
    expect(out).toMatch(/doctor/);
  });

  it('rejects an unknown command with exit code 2', () => {
    const r = spawnSync('node', [bin, 'frobnicate'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/Unknown command 'frobnicate'/);
  });

  it('rejects an unknown option of a command, naming it', () => {
    const r = spawnSync('node', [bin, 'doctor', '--nope'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--nope/);
  });
});
