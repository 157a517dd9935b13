/**
 * A hand-written SVG: describe calls per mode, grouped by scenario and N, on a log scale (the modes
 * differ by orders of magnitude, which a linear axis would flatten into one visible bar).
 */
import type { BenchMode, ScenarioResult } from './types';

const MODES: { mode: BenchMode; label: string; color: string }[] = [
  { mode: 'shared', label: '(a) shared watcher', color: '#2b8a3e' },
  { mode: 'per-run', label: '(b) per-run polling', color: '#e8590c' },
  { mode: 'sdk-waiter', label: '(c) SDK waitUntilImageAvailable', color: '#1c7ed6' },
];

const W = 860;
const H = 460;
const M = { top: 70, right: 20, bottom: 70, left: 80 };

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

export function describeCallsChart(rows: ScenarioResult[]): string {
  // Mode (c) has no worker: its bars stand with the one-worker runs of the same N.
  const workersOf = (r: ScenarioResult) => (r.mode === 'sdk-waiter' ? 1 : r.workers);
  const key = (r: ScenarioResult) => `${r.scenario}:${r.n}:${workersOf(r)}:${r.refreshes?.pipelines ?? ''}`;
  const groups = [
    ...new Map(
      rows.map((r) => [
        key(r),
        {
          key: key(r),
          scenario: r.scenario,
          n: r.n,
          workers: workersOf(r),
          copyRegions: r.copies?.length ?? 0,
          pipelines: r.refreshes?.pipelines ?? 0,
        },
      ]),
    ).values(),
  ];
  const max = Math.max(10, ...rows.map((r) => r.describeCalls));
  const decades = Math.ceil(Math.log10(max));
  const plotH = H - M.top - M.bottom;
  const plotW = W - M.left - M.right;
  const y = (v: number) => M.top + plotH - (Math.log10(Math.max(1, v)) / decades) * plotH;
  const groupW = plotW / Math.max(1, groups.length);
  const barW = Math.min(60, (groupW * 0.8) / MODES.length);

  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="DejaVu Sans, Arial, sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    `<text x="${W / 2}" y="24" text-anchor="middle" font-size="16" font-weight="bold">EC2 describe calls per scenario (log scale; fewer is better)</text>`,
  ];
  for (let d = 0; d <= decades; d++) {
    const yy = y(10 ** d);
    parts.push(`<line x1="${M.left}" x2="${W - M.right}" y1="${yy}" y2="${yy}" stroke="#ddd"/>`);
    parts.push(`<text x="${M.left - 8}" y="${yy + 4}" text-anchor="end">${(10 ** d).toLocaleString('en-US')}</text>`);
  }
  parts.push(`<text transform="translate(20 ${M.top + plotH / 2}) rotate(-90)" text-anchor="middle">describe calls</text>`);
  groups.forEach((g, gi) => {
    const present = MODES.filter((m) => rows.some((r) => key(r) === g.key && r.mode === m.mode));
    const x0 = M.left + gi * groupW + (groupW - present.length * barW) / 2;
    present.forEach((m, mi) => {
      const r = rows.find((x) => key(x) === g.key && x.mode === m.mode)!;
      const top = y(r.describeCalls);
      const x = x0 + mi * barW;
      parts.push(
        `<rect x="${x + 2}" y="${top}" width="${barW - 4}" height="${M.top + plotH - top}" fill="${m.color}"><title>${esc(m.label)}: ${r.describeCalls}</title></rect>`,
      );
      parts.push(
        `<text x="${x + barW / 2}" y="${top - 5}" text-anchor="middle" font-size="11">${r.describeCalls.toLocaleString('en-US')}</text>`,
      );
    });
    const copying = g.copyRegions ? `, copies to ${g.copyRegions} Regions` : '';
    const workers = g.workers > 1 ? `, ${g.workers} workers` : '';
    const label =
      g.scenario === 'ami'
        ? `${g.n} AMI pipelines${workers}${copying}`
        : g.scenario === 'groups'
          ? `${g.n} ASGs, ${g.pipelines} pipeline${g.pipelines === 1 ? '' : 's'}`
          : `rollout, ${g.n} instances`;
    parts.push(`<text x="${M.left + gi * groupW + groupW / 2}" y="${M.top + plotH + 20}" text-anchor="middle">${esc(label)}</text>`);
  });
  parts.push(`<line x1="${M.left}" x2="${W - M.right}" y1="${M.top + plotH}" y2="${M.top + plotH}" stroke="#333"/>`);
  MODES.forEach((m, i) => {
    const x = M.left + i * 250;
    parts.push(`<rect x="${x}" y="40" width="12" height="12" fill="${m.color}"/><text x="${x + 18}" y="50">${esc(m.label)}</text>`);
  });
  parts.push(
    `<text x="${M.left}" y="${H - 14}" font-size="11" fill="#555">AMIs ready after 20–60 s; 15 s polls; EC2 throttling at AWS sizes; every Describe* request counted, throttled included.</text>`,
  );
  parts.push('</svg>');
  return parts.join('\n');
}
