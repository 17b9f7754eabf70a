/**
 * Alert rules evaluated on followed entries: a level floor and/or a pattern (re2js), optionally a
 * rate (N matches within S seconds). Matches are coalesced per rule: one event per flush interval
 * carrying the count, so a burst raises one notification, not hundreds.
 */
import { compileRegex, FilterError } from '../core/filter/filter';
import { Level, parseLevelName } from '../core/levels';
import type { AlertEvent, AlertRule } from '../shared/protocol';

interface Compiled {
	name: string;
	message: string;
	minLevel?: Level;
	pattern?: { test(t: string): boolean };
	count: number;
	windowMs: number;
	/** Times of recent matches (rate rules). */
	recent: number[];
	pending?: AlertEvent;
}

export function ruleName(r: AlertRule, i: number): string {
	return r.name || r.pattern || (r.level ? `level ≥ ${r.level}` : `rule ${i + 1}`);
}

export class AlertEngine {
	private rules: Compiled[] = [];

	/** Compiles the rules; returns one message per unusable rule (the others still work). */
	configure(rules: unknown): string[] {
		const errors: string[] = [];
		this.rules = [];
		if (!Array.isArray(rules)) return rules === undefined ? [] : ['logLens.alerts must be a list of rules'];
		rules.forEach((raw, i) => {
			const r = raw as AlertRule;
			const name = ruleName(r ?? {}, i);
			try {
				if (!r || typeof r !== 'object') throw new Error('is not an object');
				if (!r.level && !r.pattern) throw new Error('needs a "level" or a "pattern"');
				const minLevel = r.level ? parseLevelName(r.level) : undefined;
				if (r.level && minLevel === undefined) throw new Error(`has an unknown level "${r.level}"`);
				const pattern = r.pattern ? compileRegex(r.regex ? r.pattern : r.pattern.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&'), !!r.ignoreCase) : undefined;
				const count = Math.max(1, Math.floor(r.count ?? 1));
				if (r.seconds !== undefined && !(r.seconds > 0)) throw new Error('"seconds" must be a positive number');
				this.rules.push({ name, message: r.message ?? name, minLevel, pattern, count, windowMs: (r.seconds ?? 60) * 1000, recent: [] });
			} catch (e) {
				errors.push(`alert rule "${name}" ${e instanceof FilterError ? `has an invalid pattern: ${e.message}` : (e as Error).message}`);
			}
		});
		return errors;
	}

	get active(): boolean {
		return this.rules.length > 0;
	}

	/** Checks one entry; matching rules accumulate a pending event. */
	observe(level: Level, text: string, ctx: { sessionId: string; uri: string; path: string; line: number }, now = Date.now()): void {
		for (const r of this.rules) {
			if (r.minLevel !== undefined && (level < r.minLevel || level === Level.Unknown)) continue;
			if (r.pattern && !r.pattern.test(text)) continue;
			if (r.count > 1) {
				r.recent.push(now);
				while (r.recent.length && r.recent[0] < now - r.windowMs) r.recent.shift();
				if (r.recent.length < r.count) continue;
			}
			const first = text.split('\n', 1)[0].slice(0, 500);
			if (r.pending) {
				r.pending.count++;
				r.pending.line = ctx.line;
				r.pending.text = first;
				r.pending.time = now;
			} else {
				r.pending = { rule: r.name, message: r.message, count: 1, ...ctx, text: first, time: now };
			}
		}
	}

	/** Pending events (at most one per rule), cleared. */
	drain(): AlertEvent[] {
		const out: AlertEvent[] = [];
		for (const r of this.rules) {
			if (r.pending) out.push(r.pending);
			r.pending = undefined;
		}
		return out;
	}
}
