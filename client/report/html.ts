/**
 * A run report as one self-contained HTML page: inline CSS, the stage timeline as inline SVG, no
 * script, font, image or stylesheet from anywhere, so it opens offline, attaches to a ticket and
 * prints. Every piece of text goes through `escapeHtml`: reasons, comments, names and notes come
 * from people and AWS, and must show as text.
 */
import type { StageState } from '../../contracts/progress';
import type { RunReport } from './run-report';
import { durationOf, headerFields, reportSections, runMs, stageMs, timeOf, type ReportSection, type ReportTable } from './sections';

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text safe in an element or a quoted attribute. */
const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => ENTITIES[c]!);

/** A state's colour class: the stage states, instance states, AWS statuses and answers a report shows. */
function tone(state: string): string {
  if (/^(succeeded|approved|sent|successful|updated|completed|rolled-back)$/i.test(state)) return 'ok';
  if (/^(failed|rejected|rollback-failed|failed-detached|refused|timed.out|terminated|cancelled)/i.test(state)) return 'bad';
  if (/^(running|pending|inprogress|rolling-back|waiting)/i.test(state)) return 'busy';
  return 'quiet';
}

const STATE_COLOURS: Record<StageState, string> = {
  succeeded: '#1f9d55',
  failed: '#d64545',
  running: '#2f6fde',
  cancelled: '#8a8f98',
  pending: '#c2c7cf',
  skipped: '#c2c7cf',
};

/** A round step for the timeline's axis: about six ticks over the run. */
function tickStep(spanMs: number): number {
  const steps = [
    100, 250, 500, 1_000, 2_000, 5_000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 900_000, 1_800_000, 3_600_000,
  ];
  return steps.find((s) => spanMs / s <= 6) ?? Math.ceil(spanMs / 6 / 3_600_000) * 3_600_000;
}

/** `start`, `+2.0 s`, `+1 min 30 s`: time since the run's start. */
const offsetLabel = (ms: number) => (ms === 0 ? 'start' : `+${durationOf(ms)}`);

/** The stages that ran, as bars on one time axis from the run's start to its end (or now, while it runs). */
function timeline(report: RunReport, now: Date): string {
  const rows = report.stages.filter((s) => s.startedAt);
  if (!rows.length) return '';
  const start = Date.parse(report.startTime);
  const end = Math.max(
    start + 1,
    ...rows.map((s) => Date.parse(s.endedAt ?? s.startedAt!)),
    report.closeTime ? Date.parse(report.closeTime) : now.getTime(),
  );
  const [label, plot, right, rowHeight, top] = [130, 760, 110, 30, 28];
  const width = label + plot + right;
  const x = (ms: number) => label + ((ms - start) / (end - start)) * plot;
  const step = tickStep(end - start);
  const ticks: string[] = [];
  for (let t = 0; t <= end - start; t += step) {
    const at = x(start + t).toFixed(1);
    ticks.push(
      `<line x1="${at}" y1="${top - 6}" x2="${at}" y2="${top + rows.length * rowHeight}" class="grid"/>` +
        `<text x="${at}" y="${top - 12}" class="tick">${escapeHtml(offsetLabel(t))}</text>`,
    );
  }
  const bars = rows.map((s, i) => {
    const y = top + i * rowHeight;
    const from = x(Date.parse(s.startedAt!));
    const to = s.endedAt ? x(Date.parse(s.endedAt)) : x(end);
    const barWidth = Math.max(3, to - from);
    const ms = stageMs(s);
    const tip = `${s.stage}: ${s.state}${ms === undefined ? '' : `, ${durationOf(ms)}`}${s.detail ? ` — ${s.detail}` : ''}`;
    return (
      `<g><title>${escapeHtml(tip)}</title>` +
      `<text x="${label - 12}" y="${y + 19}" class="stage">${escapeHtml(s.stage)}</text>` +
      `<rect x="${from.toFixed(1)}" y="${y + 6}" width="${barWidth.toFixed(1)}" height="18" rx="4" fill="${STATE_COLOURS[s.state]}"/>` +
      `<text x="${(from + barWidth + 8).toFixed(1)}" y="${y + 19}" class="took">${escapeHtml(ms === undefined ? s.state : durationOf(ms))}</text></g>`
    );
  });
  const height = top + rows.length * rowHeight + 8;
  return (
    `<svg class="timeline" viewBox="0 0 ${width} ${height}" role="img" aria-label="Stages on a timeline">` +
    `${ticks.join('')}${bars.join('')}</svg>`
  );
}

function table(t: ReportTable): string {
  const cls = (i: number) => {
    const names = [...(t.numeric?.includes(i) ? ['num'] : []), ...(t.nowrap?.includes(i) ? ['nowrap'] : [])];
    return names.length ? ` class="${names.join(' ')}"` : '';
  };
  const cell = (text: string, i: number) =>
    i === t.stateColumn && text
      ? `<td><span class="pill ${tone(text)}">${escapeHtml(text)}</span></td>`
      : `<td${cls(i)}>${escapeHtml(text)}</td>`;
  return (
    `<table><thead><tr>${t.columns.map((c, i) => `<th${cls(i)}>${escapeHtml(c)}</th>`).join('')}</tr></thead>` +
    `<tbody>${t.rows.map((row) => `<tr>${row.map(cell).join('')}</tr>`).join('')}</tbody></table>`
  );
}

function section(s: ReportSection, report: RunReport, now: Date): string {
  const body = [
    ...(s.id === 'stages' ? [timeline(report, now)] : []),
    ...s.notes.map((n) => `<p class="note">${escapeHtml(n)}</p>`),
    ...s.tables.map(table),
    ...(!s.tables.length && s.empty ? [`<p class="empty">${escapeHtml(s.empty)}</p>`] : []),
  ];
  return `<section id="${s.id}"><h2>${escapeHtml(s.title)}</h2>${body.join('')}</section>`;
}

const CSS = `
:root { color-scheme: light; --ink: #1c2330; --muted: #5b6575; --line: #e3e7ee; --panel: #ffffff; --page: #f5f7fa; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--page); color: var(--ink);
  font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1120px; margin: 0 auto; padding: 28px 24px 48px; }
header { background: var(--panel); border: 1px solid var(--line); border-radius: 10px; padding: 20px 24px; margin-bottom: 18px; }
header .kind { color: var(--muted); font-size: 12px; letter-spacing: .06em; text-transform: uppercase; }
h1 { margin: 2px 0 14px; font-size: 24px; display: flex; align-items: center; gap: 12px; }
dl { display: grid; grid-template-columns: repeat(auto-fill, minmax(240px, 1fr)); gap: 10px 24px; margin: 0; }
dt { color: var(--muted); font-size: 12px; }
dd { margin: 0; font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: 13px; overflow-wrap: anywhere; }
.failure { margin: 14px 0 0; padding: 10px 12px; border-radius: 6px; background: #fdecec; color: #8f1d1d; overflow-wrap: anywhere; }
section { background: var(--panel); border: 1px solid var(--line); border-radius: 10px; padding: 16px 24px 18px; margin-bottom: 18px; }
h2 { font-size: 16px; margin: 0 0 10px; }
p.note { margin: 6px 0 10px; color: var(--muted); }
p.empty { margin: 4px 0; color: var(--muted); font-style: italic; }
table { width: 100%; border-collapse: collapse; margin-top: 6px; }
th, td { text-align: left; padding: 7px 10px; border-bottom: 1px solid var(--line); vertical-align: top; overflow-wrap: anywhere; }
th { font-size: 12px; color: var(--muted); font-weight: 600; background: #fafbfc; }
td { font-size: 13px; }
.num { text-align: right; font-variant-numeric: tabular-nums; }
.nowrap { white-space: nowrap; overflow-wrap: normal; }
.pill { display: inline-block; padding: 1px 9px; border-radius: 999px; font-size: 12px; font-weight: 600; white-space: nowrap; }
.ok { background: #e3f5ea; color: #17663a; }
.bad { background: #fde8e8; color: #9b1c1c; }
.busy { background: #e5edfc; color: #1f4fa8; }
.quiet { background: #eef0f3; color: #4a5361; }
svg.timeline { width: 100%; height: auto; margin: 4px 0 8px; }
svg .grid { stroke: var(--line); }
svg .tick { fill: var(--muted); font-size: 11px; text-anchor: middle; }
svg .stage { fill: var(--ink); font-size: 13px; text-anchor: end; }
svg .took { fill: var(--muted); font-size: 12px; }
footer { color: var(--muted); font-size: 12px; text-align: center; }
`;

export function renderHtml(report: RunReport, generatedAt = new Date()): string {
  const title = report.pipeline ?? report.workflowId;
  const fields = headerFields(report)
    .map(([name, value]) => `<div><dt>${escapeHtml(name)}</dt><dd>${escapeHtml(value)}</dd></div>`)
    .join('');
  const ms = runMs(report);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>${escapeHtml(`${title} · ${report.status.toLowerCase()} · golden-image run report`)}</title>
<style>${CSS}</style>
</head>
<body>
<main>
<header>
<div class="kind">${escapeHtml(report.type)} run report</div>
<h1>${escapeHtml(title)} <span class="pill ${tone(report.status)}">${escapeHtml(report.status)}</span></h1>
<dl>${fields}</dl>
${report.error ? `<p class="failure">${escapeHtml(report.error)}</p>` : ''}
</header>
${reportSections(report)
  .map((s) => section(s, report, generatedAt))
  .join('\n')}
<footer>Generated by golden-image report on ${escapeHtml(timeOf(generatedAt.toISOString()))}${ms === undefined ? '' : ` · run took ${escapeHtml(durationOf(ms))}`}</footer>
</main>
</body>
</html>
`;
}
