/** Turns discovered Python logging setups into the log files they write, with format and rotation. */
import * as fs from 'fs';
import { discoverPythonLogging } from '../core/python/discovery';
import type { DiscoveredLog, DiscoveryFile } from '../shared/protocol';

function rotationOf(h: { class: string; maxBytes?: number; backupCount?: number; when?: string; interval?: number }): string {
	switch (h.class) {
		case 'RotatingFileHandler':
			return h.maxBytes ? `rotates at ${(h.maxBytes / 1e6).toFixed(h.maxBytes < 1e6 ? 2 : 0)} MB, keeps ${h.backupCount ?? 0}` : 'never rotates (maxBytes=0)';
		case 'TimedRotatingFileHandler':
			return `rotates every ${h.interval ?? 1} ${h.when ?? 'h'}, keeps ${h.backupCount ?? 0}`;
		case 'WatchedFileHandler':
			return 'reopens when rotated externally (logrotate)';
		default:
			return 'appends, no rotation';
	}
}

export function discoverLogs(files: DiscoveryFile[], workspaceRoot?: string): DiscoveredLog[] {
	const out: DiscoveredLog[] = [];
	const seen = new Set<string>();
	for (const cfg of discoverPythonLogging(files, { workspaceRoot })) {
		for (const h of cfg.handlers) {
			if (!h.path) continue;
			const key = `${h.path}|${cfg.configFile}`;
			if (seen.has(key)) continue;
			seen.add(key);
			const f = h.formatter;
			out.push({
				path: h.path,
				exists: fs.existsSync(h.path),
				handler: h.class,
				handlerName: h.name,
				configFile: cfg.configFile,
				configKind: cfg.kind,
				configLine: cfg.line,
				format: f.format && !f.class ? { format: f.format, style: f.style, datefmt: f.datefmt, name: `Python ${f.style} format from ${cfg.kind}` } : null,
				rotation: rotationOf(h),
			});
		}
	}
	return out;
}
