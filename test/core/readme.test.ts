// The README's command and settings tables are generated from package.json: they must be current.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../testUtil';

test('README command and settings tables match package.json', () => {
	const r = spawnSync(process.execPath, [join(repoRoot(), 'scripts', 'readme-tables.mjs'), '--check'], { encoding: 'utf8' });
	assert.equal(r.status, 0, r.stderr);
});
