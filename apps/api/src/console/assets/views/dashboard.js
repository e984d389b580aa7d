import uPlot from '../vendor/uPlot.esm.js';
import { describeError, get } from '../api.js';
import { fmt, h, page, replace, table } from '../dom.js';

const RANGES = { '24h': 24, '7d': 168, '30d': 720 };
const enc = encodeURIComponent;

/** "2026-12-04T21" (the API's hour) or a full ISO date → seconds since the epoch, as uPlot's x. */
const epochSeconds = (timestamp) => Date.parse(/T\d\d$/.test(timestamp) ? `${timestamp}:00:00Z` : timestamp) / 1000;

/**
 * A workspace's job dashboard, as the original had it: success rate, p50/p95/p99 over 24 h, 7 d and
 * 30 d, the hourly time series (uPlot) and the recent jobs. Refreshed every 5 s.
 */
export function mount(root, params, { navigate }) {
  const orgSelect = h('select', { id: 'dash-org', onchange: () => navigate('dashboard', { org: orgSelect.value, range }) });
  const wsSelect = h('select', {
    id: 'dash-ws',
    onchange: () => navigate('dashboard', { org: params.org, ws: wsSelect.value, range }),
  });
  const range = RANGES[params.range] ? params.range : '24h';
  const rangeSelect = h(
    'select',
    { id: 'dash-range', onchange: () => navigate('dashboard', { org: params.org, ws: params.ws, range: rangeSelect.value }) },
    Object.keys(RANGES).map((r) => h('option', { value: r, text: r, selected: r === range })),
  );
  const frame = page(root, 'Workspace dashboard', describeError, orgSelect, wsSelect, rangeSelect);
  const kpis = h('div', { class: 'kpis', id: 'dash-kpis' });
  const percentiles = h('div', { id: 'dash-percentiles' });
  const chartBox = h('div', { class: 'chart', id: 'dash-chart' });
  const recent = h('div', { id: 'dash-recent' });
  let chart = null;

  const resize = () => chart?.setSize({ width: chartWidth(), height: 260 });
  const chartWidth = () => Math.max(320, chartBox.clientWidth || frame.body.clientWidth || 800);
  window.addEventListener('resize', resize);

  function drawChart(points) {
    const data = [
      points.map((p) => epochSeconds(p.timestamp)),
      points.map((p) => p.jobCount),
      points.map((p) => (p.jobCount > 0 ? p.successRate : null)),
    ];
    chartBox.dataset.points = String(points.length);
    chartBox.dataset.jobs = String(data[1].reduce((sum, n) => sum + n, 0));
    if (chart) {
      chart.setData(data);
      return;
    }
    chart = new uPlot(
      {
        width: chartWidth(),
        height: 260,
        // Hours are UTC in the API and on the axis, whatever the browser's zone.
        tzDate: (seconds) => uPlot.tzDate(new Date(seconds * 1000), 'Etc/UTC'),
        // Half an hour either side, so the first and the current hour's bars are drawn whole.
        scales: {
          x: { time: true, range: (_u, min, max) => [min - 1800, max + 1800] },
          jobs: { range: (_u, _min, max) => [0, Math.max(1, max)] },
          pct: { range: [0, 100] },
        },
        axes: [{}, { scale: 'jobs', label: 'jobs / hour' }, { scale: 'pct', side: 1, label: 'success %', grid: { show: false } }],
        series: [
          {
            label: 'hour (UTC)',
            value: (_u, v) => (v === null ? '–' : new Date(v * 1000).toISOString().slice(0, 13).replace('T', ' ') + ':00'),
          },
          {
            label: 'jobs',
            scale: 'jobs',
            stroke: '#2563eb',
            fill: 'rgba(37, 99, 235, 0.15)',
            width: 2,
            points: { show: false },
            paths: uPlot.paths.bars({ size: [0.8, 40] }),
          },
          {
            label: 'success rate',
            scale: 'pct',
            stroke: '#16a34a',
            width: 2,
            spanGaps: false,
            value: (_u, v) => (v === null ? '–' : `${v} %`),
          },
        ],
        hooks: {
          // What the canvas shows, for a reader (and the browser test) without reading pixels.
          draw: [(u) => (chartBox.dataset.drawn = String(u.data[0].length))],
        },
      },
      data,
      chartBox,
    );
  }

  async function loadPickers() {
    const orgs = await get('/v1/me/organizations');
    replace(
      orgSelect,
      h('option', { value: '', text: orgs.length ? 'organization…' : 'no organizations' }),
      orgs.map((o) => h('option', { value: o.slug, text: `${o.name} (${o.slug})`, selected: o.slug === params.org })),
    );
    const org = params.org ?? (orgs.length === 1 ? orgs[0].slug : undefined);
    if (!org) return null;
    // A token may name an organization the membership list does not show (a local token for one never created).
    if (!orgs.some((o) => o.slug === org)) orgSelect.append(h('option', { value: org, text: org }));
    orgSelect.value = org;
    const workspaces = await get(`/v1/orgs/${enc(org)}/workspaces`);
    replace(
      wsSelect,
      h('option', { value: '', text: workspaces.length ? 'workspace…' : 'no workspaces' }),
      workspaces.map((w) => h('option', { value: w.name, text: w.name, selected: w.name === params.ws })),
    );
    const ws = params.ws ?? workspaces.find((w) => w.isDefault)?.name ?? workspaces[0]?.name;
    if (!ws) return null;
    wsSelect.value = ws;
    return `/v1/orgs/${enc(org)}/workspaces/${enc(ws)}`;
  }

  let base;
  async function load() {
    base ??= await loadPickers();
    if (!base) {
      replace(frame.body, h('p', { class: 'muted', text: 'Choose an organization and a workspace.' }));
      return;
    }
    if (!frame.body.contains(chartBox)) {
      replace(
        frame.body,
        kpis,
        h('section', {}, h('h2', { text: `Jobs per hour and success rate, last ${range}` }), chartBox),
        h('section', {}, h('h2', { text: 'Duration percentiles' }), percentiles),
        h('section', {}, h('h2', { text: 'Recent jobs' }), recent),
      );
    }
    const [stats, series, jobs, ...pcts] = await Promise.all([
      get(`${base}/jobs/statistics?hours=${RANGES[range]}`),
      get(`${base}/jobs/timeseries?range=${range}`),
      get(`${base}/jobs/recent?limit=20`),
      ...Object.keys(RANGES).map((r) => get(`${base}/jobs/percentiles?range=${r}`)),
    ]);
    replace(
      kpis,
      kpi('Success rate', fmt.percent(stats.successRate), 'success-rate'),
      kpi('Jobs', fmt.number(stats.total), 'total'),
      kpi('Completed', fmt.number(stats.byStatus?.completed), 'completed'),
      kpi('Failed', fmt.number(stats.byStatus?.failed), 'failed'),
      kpi('Running / queued', `${fmt.number(stats.byStatus?.running)} / ${fmt.number(stats.byStatus?.queued)}`, 'active'),
      kpi('Average duration', fmt.duration(stats.avgDurationMs), 'avg'),
    );
    drawChart(series);
    replace(
      percentiles,
      table(
        [
          { label: 'Range', value: (p) => p.range },
          { label: 'p50', class: 'num', value: (p) => (p.hasData ? fmt.duration(p.p50) : '–') },
          { label: 'p95', class: 'num', value: (p) => (p.hasData ? fmt.duration(p.p95) : '–') },
          { label: 'p99', class: 'num', value: (p) => (p.hasData ? fmt.duration(p.p99) : '–') },
          { label: 'max', class: 'num', value: (p) => (p.hasData ? fmt.duration(p.max) : '–') },
          { label: 'jobs measured', class: 'num', value: (p) => fmt.number(p.sampleSize) },
        ],
        Object.keys(RANGES).map((r, i) => ({ range: r, ...pcts[i] })),
        { rowAttrs: (p) => ({ dataset: { range: p.range } }) },
      ),
    );
    replace(
      recent,
      table(
        [
          { label: 'Job', value: (j) => h('span', { title: j.id, text: j.name }) },
          { label: 'Status', value: (j) => h('span', { class: `badge ${j.status}`, text: j.status }) },
          { label: 'Trigger', value: (j) => j.trigger },
          { label: 'Created', value: (j) => fmt.time(j.createdAt) },
          { label: 'Duration', class: 'num', value: (j) => fmt.duration(j.durationMs ?? duration(j)) },
          { label: 'Error', value: (j) => j.errorMessage ?? '' },
        ],
        jobs,
        { empty: 'No jobs yet.', rowAttrs: (j) => ({ dataset: { job: j.id } }) },
      ),
    );
  }

  const stop = frame.live(5000, load);
  return () => {
    stop();
    window.removeEventListener('resize', resize);
    chart?.destroy();
  };
}

function kpi(label, value, key) {
  return h(
    'div',
    { class: 'kpi', dataset: { kpi: key } },
    h('div', { class: 'label', text: label }),
    h('div', { class: 'value', text: value }),
  );
}

function duration(job) {
  return job.startedAt && job.completedAt ? Date.parse(job.completedAt) - Date.parse(job.startedAt) : null;
}
