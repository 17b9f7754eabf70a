// Log Lens statistics webview. Receives only aggregates from the extension ({type:'stats', data})
// and draws them with uPlot (media/vendor). Colours come from the theme's --vscode-* variables;
// every chart has a keyboard path (arrow keys, a table of buckets) and levels are named in text.
// @ts-check
/* global uPlot, acquireVsCodeApi */
(function () {
	'use strict';
	const vscode = acquireVsCodeApi();
	const app = /** @type {HTMLElement} */ (document.getElementById('app'));
	const initial = JSON.parse(app.dataset.state || '{}');
	let state = Object.assign({}, initial, vscode.getState() || {});
	vscode.setState(state);

	/** Stack order, bottom first: the most severe at the base where it is easiest to see. */
	const STACK = ['critical', 'error', 'warning', 'notice', 'info', 'debug', 'trace', 'unknown'];
	const LEVEL_VAR = {
		critical: ['--vscode-charts-purple', '#b180d7'],
		error: ['--vscode-charts-red', '#f14c4c'],
		warning: ['--vscode-charts-yellow', '#cca700'],
		notice: ['--vscode-charts-orange', '#d18616'],
		info: ['--vscode-charts-blue', '#3794ff'],
		debug: ['--vscode-charts-green', '#89d185'],
		trace: ['--vscode-descriptionForeground', '#8b8b8b'],
		unknown: ['--vscode-disabledForeground', '#6f6f6f'],
	};

	/** @type {any} */ let last = null;
	/** @type {any[]} */ let plots = [];
	let selected = -1;

	function cssVar(name, fallback) {
		const v = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
		return v || fallback;
	}
	function levelColor(l) {
		const [name, fb] = LEVEL_VAR[l] || LEVEL_VAR.unknown;
		return cssVar(name, fb);
	}
	function el(tag, attrs, ...children) {
		const e = document.createElement(tag);
		for (const [k, v] of Object.entries(attrs || {})) {
			if (v === undefined || v === null) continue;
			if (k === 'class') e.className = v;
			else if (k === 'text') e.textContent = v;
			else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
			else e.setAttribute(k, String(v));
		}
		for (const c of children) if (c !== null && c !== undefined) e.append(c);
		return e;
	}
	const nf = new Intl.NumberFormat('en-US');
	function fmtBucket(ms) {
		if (ms % 86400000 === 0) return ms / 86400000 + 'd';
		if (ms % 3600000 === 0) return ms / 3600000 + 'h';
		if (ms % 60000 === 0) return ms / 60000 + 'm';
		if (ms % 1000 === 0) return ms / 1000 + 's';
		return ms + 'ms';
	}
	/** Local time, as the chart's axis shows it (the filter itself gets exact epoch bounds). */
	function fmtTime(ms) {
		const d = new Date(ms);
		const p = (n, w = 2) => String(n).padStart(w, '0');
		const frac = d.getMilliseconds() ? '.' + p(d.getMilliseconds(), 3) : '';
		return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}${frac}`;
	}
	function bucketTotal(b) {
		let n = 0;
		for (const k in b.counts) n += b.counts[k] || 0;
		return n;
	}
	function describeBucket(d, i) {
		const b = d.buckets[i];
		const parts = STACK.filter((l) => b.counts[l]).map((l) => `${l} ${nf.format(b.counts[l])}`);
		return `${fmtTime(b.t)} – ${fmtTime(b.t + d.bucketMs)}: ${nf.format(bucketTotal(b))} entries${parts.length ? ' (' + parts.join(', ') + ')' : ''}`;
	}
	function filterBucket(i) {
		const d = last && last.data;
		if (!d || i < 0 || i >= d.buckets.length) return;
		const t = d.buckets[i].t;
		vscode.postMessage({ type: 'filterTime', since: t, until: t + d.bucketMs });
	}

	function setStatus(text, busy) {
		const s = document.getElementById('status');
		if (s) s.textContent = text;
		app.setAttribute('aria-busy', busy ? 'true' : 'false');
	}

	window.addEventListener('message', (ev) => {
		const m = ev.data;
		if (!m || typeof m !== 'object') return;
		if (m.type === 'loading') setStatus('Computing statistics…', true);
		else if (m.type === 'error') {
			setStatus(m.message, false);
		} else if (m.type === 'stats') {
			last = m;
			state = m.bucketMs ? { uri: m.uri, bucketMs: m.bucketMs } : { uri: m.uri };
			vscode.setState(state);
			render();
			// the timing hook: the first frame with the result on screen
			requestAnimationFrame(() => vscode.postMessage({ type: 'rendered' }));
		}
	});

	function render() {
		for (const p of plots) p.destroy();
		plots = [];
		const m = last;
		const d = m.data;
		app.replaceChildren();
		app.append(el('p', { class: 'status', role: 'status', id: 'status', text: d.detail ? '' : 'Reading templates and loggers…' }));
		app.setAttribute('aria-busy', d.detail ? 'false' : 'true');

		// header facts
		const select = el('select', { id: 'bucket', 'aria-label': 'Bucket size', onchange: (e) => {
			const v = Number(e.target.value);
			state = v ? { uri: state.uri, bucketMs: v } : { uri: state.uri };
			vscode.setState(state);
			vscode.postMessage({ type: 'setBucket', bucketMs: v || undefined });
		} });
		select.append(el('option', { value: '0', text: `Auto (${d.autoBucketMs ? fmtBucket(d.autoBucketMs) : '—'})` }));
		for (const c of d.bucketChoices) select.append(el('option', { value: String(c), text: fmtBucket(c) }));
		select.value = String(m.bucketMs && d.bucketChoices.includes(d.bucketMs) ? d.bucketMs : 0);
		const span = d.span.first ? `${fmtTime(Date.parse(d.span.first))} … ${fmtTime(Date.parse(d.span.last))}` : 'no timestamps';
		app.append(el('header', {},
			el('h1', { text: `Statistics · ${m.title}` }),
			el('dl', { class: 'facts' },
				el('dt', { text: 'Time span' }), el('dd', { text: span }),
				el('dt', { text: 'Entries' }), el('dd', { text: nf.format(d.entries) + (d.timedEntries < d.entries ? ` (${nf.format(d.entries - d.timedEntries)} without a time)` : '') }),
				el('dt', { text: 'Entries per second' }), el('dd', { text: d.entriesPerSecond === null ? '—' : d.entriesPerSecond.toFixed(d.entriesPerSecond < 10 ? 2 : 1) }),
				el('dt', {}, el('label', { for: 'bucket', text: 'Bucket' })), el('dd', {}, select, ' ',
					el('button', { type: 'button', class: 'secondary', text: 'Refresh', onclick: () => vscode.postMessage({ type: 'refresh' }) })),
			)));

		if (!d.buckets.length) {
			app.append(el('p', { text: 'No entry of this log has a timestamp, so there is no timeline.' }));
		} else {
			renderTimeline(d);
			renderErrorRate(d);
		}
		renderTemplates(d);
		renderLoggers(d);
	}

	function axisStyle() {
		const fg = cssVar('--vscode-foreground', '#ccc');
		const grid = cssVar('--vscode-editorWidget-border', cssVar('--vscode-charts-lines', '#8884'));
		return { stroke: fg, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
	}

	function chartWidth(container) {
		return Math.max(300, container.clientWidth || document.body.clientWidth - 40);
	}

	function renderTimeline(d) {
		const levels = STACK.filter((l) => d.levels.includes(l));
		const legend = el('ul', { class: 'legend', 'aria-label': 'Levels' });
		for (const l of [...levels].reverse()) {
			legend.append(el('li', {}, el('span', { class: 'swatch', style: `background:${levelColor(l)}`, 'aria-hidden': 'true' }), `${l} ${nf.format(d.levelTotals[l] || 0)}`));
		}
		const readout = el('p', { class: 'readout', id: 'readout', 'aria-live': 'polite', text: 'Click a bar, or focus the chart and use ← → (Home/End) then Enter, to open the entries of that bucket.' });
		const holder = el('div', {
			class: 'chart', id: 'chart-counts', tabindex: '0', role: 'group',
			'aria-label': `Entries per ${fmtBucket(d.bucketMs)}, stacked by level. Left and Right arrows move between non-empty buckets, Enter opens the entries of the selected bucket.`,
		});
		const section = el('section', { 'aria-labelledby': 'h-time' }, el('h2', { id: 'h-time', text: `Entries over time (per ${fmtBucket(d.bucketMs)})` }), legend, holder, readout);
		app.append(section);

		const xs = d.buckets.map((b) => b.t / 1000);
		// cumulative series, bottom level first; drawn top-down so each covers the one above
		const cum = [];
		let acc = new Array(xs.length).fill(0);
		for (const l of levels) {
			acc = acc.map((v, i) => v + (d.buckets[i].counts[l] || 0));
			cum.push(acc);
		}
		const series = [{}];
		const data = [xs];
		for (let k = levels.length - 1; k >= 0; k--) {
			const c = levelColor(levels[k]);
			series.push({ label: levels[k], fill: c, stroke: c, width: 0, points: { show: false }, paths: uPlot.paths.bars({ size: [1, 60], align: 1, gap: 0 }) });
			data.push(cum[k]);
		}
		const ax = axisStyle();
		const u = new uPlot({
			width: chartWidth(section), height: 220, ms: 1e-3,
			legend: { show: false },
			cursor: { drag: { x: false, y: false }, points: { show: false } },
			select: { show: true },
			scales: { x: { time: true, range: (_u, min, max) => [min, max + d.bucketMs / 1000] }, y: { range: (_u, _min, max) => [0, Math.max(1, max) * 1.05] } },
			axes: [Object.assign({}, ax), Object.assign({}, ax, { size: 60 })],
			series,
			hooks: {
				setCursor: [(u) => {
					const i = u.cursor.idx;
					if (i !== null && i !== undefined && i >= 0) document.getElementById('readout').textContent = describeBucket(d, i);
				}],
			},
		}, data, holder);
		plots.push(u);
		u.over.addEventListener('click', () => {
			const i = u.cursor.idx;
			if (i !== null && i !== undefined) filterBucket(i);
		});
		u.over.style.cursor = 'pointer';
		selected = -1;
		const nonEmpty = [];
		d.buckets.forEach((b, i) => { if (bucketTotal(b) > 0) nonEmpty.push(i); });
		const choose = (i) => {
			selected = i;
			const t = d.buckets[i].t / 1000;
			const left = u.valToPos(t, 'x');
			const right = u.valToPos(t + d.bucketMs / 1000, 'x');
			u.setSelect({ left, width: Math.max(2, right - left), top: 0, height: u.over.clientHeight }, false);
			document.getElementById('readout').textContent = describeBucket(d, i);
		};
		holder.addEventListener('keydown', (e) => {
			if (!nonEmpty.length) return;
			const pos = nonEmpty.indexOf(selected);
			let next = -1;
			if (e.key === 'ArrowRight') next = nonEmpty[pos < 0 ? 0 : Math.min(nonEmpty.length - 1, pos + 1)];
			else if (e.key === 'ArrowLeft') next = nonEmpty[pos < 0 ? nonEmpty.length - 1 : Math.max(0, pos - 1)];
			else if (e.key === 'Home') next = nonEmpty[0];
			else if (e.key === 'End') next = nonEmpty[nonEmpty.length - 1];
			else if ((e.key === 'Enter' || e.key === ' ') && selected >= 0) {
				e.preventDefault();
				filterBucket(selected);
				return;
			} else return;
			e.preventDefault();
			choose(next);
		});

		// the same data as a table, for screen readers and keyboard users
		const MAX_ROWS = 500;
		const table = el('table', { class: 'buckets' },
			el('caption', { text: nonEmpty.length > MAX_ROWS ? `First ${MAX_ROWS} of ${nf.format(nonEmpty.length)} non-empty buckets (a larger bucket size shows all)` : `${nf.format(nonEmpty.length)} non-empty buckets` }),
			el('thead', {}, el('tr', {}, el('th', { scope: 'col', text: 'From' }), el('th', { scope: 'col', text: 'Entries' }), ...levels.map((l) => el('th', { scope: 'col', text: l })), el('th', { scope: 'col', text: 'Open' }))));
		const tbody = el('tbody');
		for (const i of nonEmpty.slice(0, MAX_ROWS)) {
			const b = d.buckets[i];
			tbody.append(el('tr', {}, el('td', { text: fmtTime(b.t) }), el('td', { text: nf.format(bucketTotal(b)) }), ...levels.map((l) => el('td', { text: nf.format(b.counts[l] || 0) })),
				el('td', {}, el('button', { type: 'button', class: 'link', 'data-bucket': String(i), 'aria-label': `Open entries ${describeBucket(d, i)}`, text: 'Filter', onclick: () => filterBucket(i) }))));
		}
		table.append(tbody);
		section.append(el('details', {}, el('summary', { text: 'Buckets as a table' }), table));
	}

	function renderErrorRate(d) {
		const holder = el('div', { class: 'chart', id: 'chart-errors', role: 'img' });
		const section = el('section', { 'aria-labelledby': 'h-err' }, el('h2', { id: 'h-err', text: 'Error rate (error and critical, % of entries per bucket)' }), holder);
		app.append(section);
		const rates = d.errorRate.map((r) => (r === null ? null : r * 100));
		const worst = rates.reduce((a, r) => (r !== null && r > a.r ? { r, i: rates.indexOf(r) } : a), { r: -1, i: -1 });
		holder.setAttribute('aria-label', worst.i >= 0 ? `Error rate over time; highest ${worst.r.toFixed(1)}% at ${fmtTime(d.buckets[worst.i].t)}` : 'Error rate over time: no entries');
		const c = levelColor('error');
		const ax = axisStyle();
		const u = new uPlot({
			width: chartWidth(section), height: 140, ms: 1e-3,
			legend: { show: false },
			cursor: { drag: { x: false, y: false } },
			scales: { x: { time: true }, y: { range: [0, 100] } },
			axes: [Object.assign({}, ax), Object.assign({}, ax, { size: 60, values: (_u, v) => v.map((x) => x + '%') })],
			series: [{}, { label: 'error rate', stroke: c, width: 1.5, fill: /^#[0-9a-f]{6}$/i.test(c) ? c + '33' : undefined, spanGaps: false, points: { show: false } }],
		}, [d.buckets.map((b) => b.t / 1000), rates], holder);
		plots.push(u);
	}

	function sparkSvg(values, color) {
		const NS = 'http://www.w3.org/2000/svg';
		const svg = document.createElementNS(NS, 'svg');
		svg.setAttribute('viewBox', '0 0 100 20');
		svg.setAttribute('preserveAspectRatio', 'none');
		svg.setAttribute('class', 'spark');
		svg.setAttribute('aria-hidden', 'true');
		const max = Math.max(1, ...values);
		const n = Math.max(1, values.length - 1);
		const pts = values.map((v, i) => `${((i / n) * 100).toFixed(2)},${(19 - (v / max) * 18).toFixed(2)}`).join(' ');
		const line = document.createElementNS(NS, 'polyline');
		line.setAttribute('points', pts);
		line.setAttribute('fill', 'none');
		line.setAttribute('stroke', color);
		line.setAttribute('stroke-width', '1.5');
		line.setAttribute('vector-effect', 'non-scaling-stroke');
		svg.append(line);
		return svg;
	}

	function renderTemplates(d) {
		const section = el('section', { 'aria-labelledby': 'h-tpl' }, el('h2', { id: 'h-tpl', text: d.templateCount ? `Top message templates (${nf.format(d.templateCount)} in all)` : 'Top message templates' }));
		app.append(section);
		if (!d.detail) { section.append(el('p', { class: 'muted', text: 'Reading every entry…' })); return; }
		if (!d.topTemplates.length) { section.append(el('p', { class: 'muted', text: 'No templates.' })); return; }
		const list = el('ol', { class: 'templates' });
		for (const t of d.topTemplates) {
			list.append(el('li', {}, el('button', {
				type: 'button', class: 'template', 'data-template': String(t.id),
				'aria-label': `${nf.format(t.count)} entries, level ${t.level}: ${t.template}. Open these entries.`,
				onclick: () => vscode.postMessage({ type: 'filterTemplate', templateId: t.id }),
			}, el('span', { class: 'count', text: nf.format(t.count) }), el('span', { class: `level level-${t.level}`, text: t.level }), sparkSvg(t.spark, levelColor(t.level)), el('code', { class: 'text', text: t.template }))));
		}
		section.append(list);
	}

	function renderLoggers(d) {
		const section = el('section', { 'aria-labelledby': 'h-log' }, el('h2', { id: 'h-log', text: 'Top loggers' }));
		app.append(section);
		if (!d.detail) { section.append(el('p', { class: 'muted', text: 'Reading every entry…' })); return; }
		if (!d.topLoggers.length) { section.append(el('p', { class: 'muted', text: 'This format names no loggers.' })); return; }
		const max = d.topLoggers[0].count;
		const table = el('table', { class: 'loggers' }, el('thead', {}, el('tr', {}, el('th', { scope: 'col', text: 'Logger' }), el('th', { scope: 'col', text: 'Entries' }), el('th', { scope: 'col', text: 'Share', class: 'bar-col' }))));
		const tb = el('tbody');
		for (const g of d.topLoggers) {
			tb.append(el('tr', {}, el('td', {}, el('code', { text: g.logger })), el('td', { class: 'num', text: nf.format(g.count) }),
				el('td', { class: 'bar-col' }, el('span', { class: 'bar', style: `width:${((g.count / max) * 100).toFixed(1)}%`, 'aria-hidden': 'true' }))));
		}
		table.append(tb);
		section.append(table);
	}

	// theme changes (VS Code swaps the body classes) and resizes redraw with the new colours / width
	new MutationObserver(() => { if (last) render(); }).observe(document.body, { attributes: true, attributeFilter: ['class'] });
	let resizeTimer = 0;
	window.addEventListener('resize', () => {
		clearTimeout(resizeTimer);
		resizeTimer = setTimeout(() => {
			for (const p of plots) p.setSize({ width: chartWidth(p.root.parentElement), height: p.height });
		}, 100);
	});

	vscode.postMessage({ type: 'ready' });
})();
