// The ordered list of forward-only migrations; migration N brings user_version from N-1 to N.
import { up as m0001 } from './0001-initial';

export interface Migration {
  version: number;
  name: string;
  up: string;
}

export const MIGRATIONS: readonly Migration[] = Object.freeze([{ version: 1, name: 'initial', up: m0001 }]);

export const SCHEMA_VERSION = MIGRATIONS.length;
