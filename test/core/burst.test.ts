// The burst rule of follow tabs (src/core/follow/burst.ts) on timelines of reads: a steady stream
// at the rate is a burst within tens of milliseconds, one big write is not, it ends after a quiet
// spell, and a tab opened on a log being written keeps its opening burst only if the rate holds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BurstDetector } from '../../src/core/follow/burst';

/** Reads of `perRead` lines every `everyMs` from `from` to `to` (ms); returns the state after each. */
function feed(d: BurstDetector, from: number, to: number, everyMs: number, perRead: number): boolean[] {
	const out: boolean[] = [];
	for (let t = from; t < to; t += everyMs) out.push(d.add(t, perRead));
	return out;
}

test('a steady stream at the rate is a burst within a tenth of a second; below it is none', () => {
	const d = new BurstDetector({ linesPerSecond: 200 }, 0);
	// 2,000 lines/s in reads of 20 lines every 10 ms
	const states = feed(d, 1000, 1200, 10, 20);
	const first = states.indexOf(true);
	assert.ok(first >= 0 && first * 10 <= 100, `burst after ${first * 10} ms`);
	assert.equal(d.count, 1);
	const slow = new BurstDetector({ linesPerSecond: 200 }, 0);
	// 150 lines/s for ten seconds
	assert.ok(feed(slow, 0, 10_000, 20, 3).every((s) => !s), '150 lines/s is not a burst at 200');
	assert.equal(slow.count, 0);
});

test('one big write (a long stack trace, a batch) is not a burst; the same lines spread over reads are', () => {
	const d = new BurstDetector({ linesPerSecond: 200 }, 0);
	assert.equal(d.add(1000, 5000), false, 'one read of 5,000 lines');
	assert.equal(d.check(1100), false);
	assert.equal(d.add(1300, 1), true, 'a second read 300 ms later: the lines came over time');
});

test('a burst ends when the rate falls below a quarter of the threshold, and after a quiet spell', () => {
	const d = new BurstDetector({ linesPerSecond: 200 }, 0);
	feed(d, 0, 3000, 10, 20);
	assert.equal(d.active, true);
	// nothing more: still a burst for a while, over after the quiet time
	assert.equal(d.check(3500), true);
	assert.ok(d.recheckMs(3500)! > 0, 'the caller is asked to look again');
	assert.equal(d.check(5100), false);
	assert.equal(d.recheckMs(5100), undefined);
	// a rate between a quarter and the threshold keeps a burst that has begun
	const h = new BurstDetector({ linesPerSecond: 200 }, 0);
	feed(h, 0, 1000, 10, 20);
	assert.ok(feed(h, 1000, 6000, 10, 1).every((s) => s), '100 lines/s keeps it (hysteresis)');
	assert.ok(!feed(h, 6000, 10_000, 100, 1).at(-1), '10 lines/s ends it');
	assert.equal(h.count, 1, 'one burst');
});

test('a tab opened on a log being written starts in a burst and keeps it only if the rate holds', () => {
	const fast = new BurstDetector({ linesPerSecond: 200, probeMs: 500 }, 0);
	assert.equal(fast.active, true);
	assert.equal(fast.probing, true);
	assert.equal(fast.recheckMs(0), 2000, 'no lines yet: it waits up to the quiet time');
	// the producer starts 0.8 s after the tab opened: the probe decides 0.5 s after its first lines
	assert.equal(fast.check(700), true, 'still probing without lines');
	assert.ok(feed(fast, 800, 1300, 10, 20).every((s) => s));
	assert.equal(fast.check(1300), true, 'the rate held: still a burst');
	assert.equal(fast.probing, false);
	assert.equal(fast.count, 1);
	const slow = new BurstDetector({ linesPerSecond: 200, probeMs: 500 }, 0);
	assert.ok(feed(slow, 0, 500, 50, 1).every((s) => s), 'a burst while probing');
	assert.equal(slow.check(500), false, 'a slow log: no burst once the probe has decided');
	assert.equal(slow.count, 0);
	const none = new BurstDetector({ linesPerSecond: 200, probeMs: 500 }, 0);
	assert.equal(none.check(1999), true);
	assert.equal(none.check(2000), false, 'no lines within the quiet time: no burst');
	assert.equal(none.count, 0);
	const never = new BurstDetector({ linesPerSecond: 0, probeMs: 500 }, 0);
	assert.equal(never.active, false, '0: never a burst, not even while probing');
	assert.ok(feed(never, 0, 1000, 1, 100).every((s) => !s));
});
