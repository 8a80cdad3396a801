// The ordered list of forward-only migrations; migration N brings user_version from N-1 to N.
import { up as m0001 } from './0001-initial';
import { up as m0002 } from './0002-scenes';
import { up as m0003 } from './0003-phash';
import { up as m0004 } from './0004-run-workers';
import { up as m0005 } from './0005-rehash';
import { up as m0006 } from './0006-undo-history';
import { up as m0007 } from './0007-run-test-captions';

export interface Migration {
  version: number;
  name: string;
  up: string;
}

export const MIGRATIONS: readonly Migration[] = Object.freeze([
  { version: 1, name: 'initial', up: m0001 },
  { version: 2, name: 'scenes', up: m0002 },
  { version: 3, name: 'phash', up: m0003 },
  { version: 4, name: 'run-workers', up: m0004 },
  { version: 5, name: 'rehash', up: m0005 },
  { version: 6, name: 'undo-history', up: m0006 },
  { version: 7, name: 'run-test-captions', up: m0007 },
]);

export const SCHEMA_VERSION = MIGRATIONS.length;
