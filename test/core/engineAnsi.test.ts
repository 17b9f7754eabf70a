// ANSI escape sequences (colour, bold, erase-line from colorlog / rich / uvicorn / docker compose)
// never change what the engine reads: the same records written by CPython with and without colour
// give identical levels, entries, messages and templates, while offsets keep counting raw bytes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { FileSource } from '../../src/core/byteSource';
import { readEntry } from '../../src/core/entryReader';
import { EntryStream } from '../../src/core/entryStream';
import { detectFormat } from '../../src/core/formatRegistry';
import { indexFile } from '../../src/core/index/indexFile';
import { LogIndex } from '../../src/core/index/logIndex';
import { stripAnsi, stripAnsiMapped } from '../../src/core/ansi';
import { TemplateMiner, tracebackKey } from '../../src/core/templates/templates';
import { currentCli, runPython, tempDir } from '../testUtil';

/**
 * Writes the same records twice with CPython's logging: plain, and through a Formatter subclass
 * that colours the level name and the message (and, for some layouts, the time and whole line).
 */
const PRODUCER = String.raw`
import logging, sys, random
plain_path, colour_path, fmt, mode = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
COLOURS = {'DEBUG': '\x1b[36m', 'INFO': '\x1b[32m', 'WARNING': '\x1b[33m', 'ERROR': '\x1b[31m', 'CRITICAL': '\x1b[1;41m'}
RESET = '\x1b[0m'

class Colour(logging.Formatter):
    """colorlog's way: the padded level name and the message wrapped in colour codes."""
    def format(self, record):
        text = super().format(record)
        lvl = record.levelname
        text = text.replace(lvl, COLOURS[lvl] + lvl + RESET, 1)
        msg = record.getMessage()
        i = text.find(msg)
        if i >= 0:
            text = text[:i] + '\x1b[1m' + msg + RESET + text[i + len(msg):]
        if mode == 'line':
            # rich / docker compose style: erase the line, dim the time, colour the whole line
            text = '\x1b[2K\x1b[2m' + text.replace(' ', RESET + ' ', 1) + '\x1b[0m'
        return text

class Clock(logging.Filter):
    t = 1714557600.0
    def filter(self, record):
        Clock.t += 0.25
        record.created = Clock.t
        record.msecs = (Clock.t - int(Clock.t)) * 1000
        return True

log = logging.getLogger('svc.api')
log.setLevel(logging.DEBUG)
log.propagate = False
log.addFilter(Clock())  # logger filters run once per record, before both handlers
handlers = []
for path, formatter in ((plain_path, logging.Formatter(fmt)), (colour_path, Colour(fmt))):
    h = logging.FileHandler(path, encoding='utf-8')
    h.setFormatter(formatter)
    log.addHandler(h)
    handlers.append(h)
rnd = random.Random(5)
for i in range(400):
    k = rnd.randrange(10)
    if k < 3: log.debug('cache hit key=user:%d ttl=%ds', rnd.randrange(10**5), rnd.randrange(90))
    elif k < 6: log.info('GET /api/items/%d 200 in %d ms', rnd.randrange(1000), rnd.randrange(500))
    elif k < 8: log.warning('slow query took %.2f s on table %s', rnd.random() * 9, rnd.choice(['users', 'orders']))
    elif k < 9: log.error('connection to db-%d:5432 refused', rnd.randrange(4))
    else:
        try:
            int('x%d' % i)
        except ValueError:
            log.exception('failed to parse item %d', i)
log.critical('shutting down after %d requests', 400)
for h in handlers:
    h.close()
`;

const LAYOUTS = [
	{ name: 'asctime - name - level - message', fmt: '%(asctime)s - %(name)s - %(levelname)s - %(message)s', mode: 'fields' },
	{ name: 'basicConfig default (colour at the line start)', fmt: '%(levelname)s:%(name)s:%(message)s', mode: 'fields' },
	{ name: 'bracketed time, padded level, whole line coloured', fmt: '[%(asctime)s] %(levelname)-8s %(name)s: %(message)s', mode: 'line' },
];

function write(dir: string, fmt: string, mode: string): { plain: string; colour: string } {
	const plain = join(dir, 'plain.log');
	const colour = join(dir, 'colour.log');
	runPython(PRODUCER, [plain, colour, fmt, mode]);
	return { plain, colour };
}

/** Templates of every entry, mined the way `loglens templates` does (message, or traceback key). */
function templatesOf(path: string): string[] {
	const miner = new TemplateMiner();
	const ids: number[] = [];
	const s = new EntryStream((e, st) => {
		const d = st.detail(e, true);
		const tb = d.exception && d.text !== undefined ? tracebackKey(d.text) : undefined;
		ids.push(miner.add(d.message, tb));
	}, { ctx: { year: 2024 } });
	s.append(readFileSync(path));
	s.finish();
	return ids.map((id) => miner.template(id));
}

for (const layout of LAYOUTS) {
	test(`ANSI colour: identical levels, entries, messages and templates — ${layout.name}`, async () => {
		const { dir, cleanup } = tempDir();
		try {
			const { plain, colour } = write(dir, layout.fmt, layout.mode);
			const raw = readFileSync(colour, 'latin1');
			assert.ok(raw.includes('\x1b['), 'the coloured file has escape sequences');
			assert.equal(stripAnsi(raw), readFileSync(plain, 'latin1'), 'the producer wrote the same records');
			const a = await indexFile(plain, { ctx: { year: 2024 } });
			const b = await indexFile(colour, { ctx: { year: 2024 } });
			assert.equal(b.format.format.id, a.format.format.id);
			assert.equal(b.lineCount, a.lineCount);
			assert.equal(b.entryCount, a.entryCount);
			assert.ok(a.entryCount >= 400);
			assert.deepEqual(b.levelCounts(), a.levelCounts());
			const sa = new FileSource(plain), sb = new FileSource(colour);
			try {
				for (let e = 0; e < a.entryCount; e++) {
					assert.equal(b.entryStartLine(e), a.entryStartLine(e), `entry ${e} line`);
					assert.equal(b.entryLevel(e), a.entryLevel(e), `entry ${e} level`);
					assert.equal(b.entryTime(e), a.entryTime(e), `entry ${e} time`);
					const da = readEntry(a, sa, e), db = readEntry(b, sb, e);
					assert.equal(db.message, da.message, `entry ${e} message`);
					assert.equal(db.logger, da.logger, `entry ${e} logger`);
					assert.equal(db.text, da.text, `entry ${e} text`);
					assert.deepEqual(db.exception, da.exception, `entry ${e} exception`);
					// Offsets count raw bytes: the entry's bytes in the coloured file are the raw record.
					const rawText = readEntry(b, sb, e, { raw: true });
					assert.equal(rawText.text, raw.slice(db.startOffset, db.endOffset), `entry ${e} raw text`);
					assert.equal(stripAnsi(rawText.message), da.message, `entry ${e} raw message`);
				}
				assert.equal(b.lineStart(b.lineCount - 1) + (b.lineEnd(b.lineCount - 1) - b.lineStart(b.lineCount - 1)) + 1, statSync(colour).size);
			} finally {
				sa.close();
				sb.close();
			}
			assert.deepEqual(templatesOf(colour), templatesOf(plain));
		} finally {
			cleanup();
		}
	});
}

test('ANSI colour: formats detected on raw lines read headers through the escapes', () => {
	const lines = [
		'\x1b[2m2024-05-01 10:00:00,000\x1b[0m - app - \x1b[32mINFO\x1b[0m - \x1b[1mstarted\x1b[0m',
		'\x1b[2m2024-05-01 10:00:01,000\x1b[0m - app - \x1b[31mERROR\x1b[0m - \x1b[1mfailed\x1b[0m',
		'\x1b[2m2024-05-01 10:00:02,000\x1b[0m - app.db - \x1b[33mWARNING\x1b[0m - slow',
	];
	const ctx = { year: 2024, defaultZoneOffsetMinutes: 0 };
	const d = detectFormat(lines, ctx);
	assert.equal(d.format.id, 'python');
	const h = d.format.parseHeader(lines[1], ctx);
	assert.ok(h);
	assert.equal(h.level, 5 /* error */);
	assert.equal(h.time, Date.UTC(2024, 4, 1, 10, 0, 1));
	assert.equal(h.logger, 'app');
	// The message offset points into the raw line, past the escapes before it.
	assert.equal(stripAnsi(lines[1].slice(h.messageStart)), 'failed');
	const m = stripAnsiMapped('a\x1b[31mbc\x1b]8;;http://x\x07d');
	assert.equal(m.text, 'abcd');
	assert.deepEqual([0, 1, 2, 3, 4].map((k) => m.rawOffset(k)), [0, 6, 7, 22, 23]);
	// Where a part starting at a clean offset begins in the raw text: with the escapes before it.
	assert.deepEqual([0, 1, 2, 3].map((k) => m.rawStart(k)), [0, 1, 7, 8]);
});

test('ANSI colour: the CLI strips escapes from filter and entries output unless --raw', () => {
	const { dir, cleanup } = tempDir();
	try {
		const { plain, colour } = write(dir, LAYOUTS[0].fmt, 'fields');
		const cli = currentCli(dir);
		const run = (...args: string[]) => {
			const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
			assert.equal(r.status, 0, r.stderr);
			return r.stdout;
		};
		const fp = run('filter', plain, '--level', 'warning');
		assert.ok(fp.length > 0);
		assert.equal(run('filter', colour, '--level', 'warning'), fp);
		assert.match(run('filter', colour, '--level', 'warning', '--raw'), /\x1b\[31mERROR/);
		assert.equal(run('filter', colour, '--grep', 'refused'), run('filter', plain, '--grep', 'refused'));
		assert.equal(run('entries', colour, '--jsonl'), run('entries', plain, '--jsonl'));
		assert.match(run('entries', colour, '--jsonl', '--raw'), /\\u001b\[1m/);
		assert.equal(run('templates', colour), run('templates', plain));
		const sum = (p: string) => {
			const j = JSON.parse(run('summary', p, '--json')) as Record<string, unknown>;
			delete j.file;
			delete j.bytes; // the escapes are bytes of the file
			return j;
		};
		assert.deepEqual(sum(colour), sum(plain));
	} finally {
		cleanup();
	}
});

test('ANSI colour: a stream of coloured lines gives the same entries as the plain text', () => {
	const plain = '2024-05-01 10:00:00,000 - a - INFO - x\n2024-05-01 10:00:01,000 - a - ERROR - y\nTraceback (most recent call last):\nValueError: z\n';
	const colour = plain.replace(/(INFO|ERROR)/g, '\x1b[31m$1\x1b[0m').replace('ValueError', '\x1b[1mValueError\x1b[0m');
	const a = LogIndex.fromText(plain), b = LogIndex.fromText(colour);
	assert.equal(b.entryCount, a.entryCount);
	assert.deepEqual(b.levelCounts(), a.levelCounts());
	assert.equal(b.entryEndLine(1), 3);
});
