// Filters over an index: levels, regex (linear time, RE2 syntax), time, logger, fields; entries whole.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LogIndex } from '../../src/core/index/logIndex';
import { BufferSource } from '../../src/core/byteSource';
import { compileRegex, filterEntries, FilterError, FilterSpec, parseTimeBound } from '../../src/core/filter/filter';
import { Level } from '../../src/core/levels';

const LOG = [
	'2024-05-01 10:00:00,000 - app.db - INFO - connected',
	'2024-05-01 10:05:00,000 - app.db.pool - WARNING - pool at 90%',
	'2024-05-01 10:10:00,000 - app.web - ERROR - request failed',
	'Traceback (most recent call last):',
	'  File "web.py", line 3, in handle',
	'ValueError: timeout talking to db',
	'2024-05-01 10:15:00,000 - application - CRITICAL - out of memory',
	'2024-05-01 10:20:00,000 - app.db - DEBUG - closing',
].join('\n') + '\n';

const buf = Buffer.from(LOG);
const idx = LogIndex.fromText(buf, { ctx: { year: 2024, defaultZoneOffsetMinutes: 0 } });
const run = (spec: FilterSpec) => [...filterEntries(idx, new BufferSource(buf), spec)];

test('level: minimum and exact sets', () => {
	assert.deepEqual(run({ minLevel: Level.Warning }), [1, 2, 3]);
	assert.deepEqual(run({ levels: [Level.Debug, Level.Critical] }), [3, 4]);
});

test('regex is tested against the whole entry, so a traceback matches by its last line', () => {
	assert.deepEqual(run({ include: ['timeout'] }), [2]);
	assert.deepEqual(run({ include: ['TIMEOUT'], ignoreCase: true }), [2]);
	assert.deepEqual(run({ include: ['^ValueError: \\w+'] }), [], 'no multiline mode: ^ is the entry start');
	assert.deepEqual(run({ exclude: ['app\\.db'] }), [2, 3]);
});

test('logger: exact or dotted prefix, never a plain string prefix', () => {
	assert.deepEqual(run({ logger: 'app.db' }), [0, 1, 4]);
	assert.deepEqual(run({ logger: 'app' }), [0, 1, 2, 4]);
});

test('time range and fields', () => {
	const t = (s: string) => Date.parse(s);
	assert.deepEqual(run({ since: t('2024-05-01T10:05:00Z'), until: t('2024-05-01T10:15:00Z') }), [1, 2]);
	assert.deepEqual(run({ fields: { logger: 'app.web' } }), [2]);
	assert.deepEqual(run({ minLevel: Level.Info, include: ['db'], logger: 'app.db' }), [0, 1]);
});

test('user regexes cannot freeze: RE2 semantics, clear errors for unsupported syntax', () => {
	const evil = compileRegex('(a+)+$');
	const long = 'a'.repeat(200000) + 'b';
	const start = Date.now();
	assert.equal(evil.test(long), false);
	assert.ok(Date.now() - start < 2000, 'linear time');
	assert.throws(() => compileRegex('(a)\\1'), FilterError);
	assert.throws(() => compileRegex('foo(?=bar)'), /lookaround are not supported/);
});

test('time bounds: relative, clock time, ISO', () => {
	const now = Date.parse('2024-05-01T12:00:00Z');
	assert.equal(parseTimeBound('15m', now), now - 15 * 60000);
	assert.equal(parseTimeBound('2h', now), now - 2 * 3600000);
	assert.equal(parseTimeBound('1d', now), now - 86400000);
	assert.equal(parseTimeBound('2024-05-01T10:00:00Z', now), Date.parse('2024-05-01T10:00:00Z'));
	const clock = new Date(parseTimeBound('08:30:00', now));
	assert.deepEqual([clock.getHours(), clock.getMinutes()], [8, 30]);
	assert.throws(() => parseTimeBound('yesterday-ish', now), FilterError);
});
