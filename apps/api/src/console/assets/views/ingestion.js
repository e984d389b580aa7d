import { describeError, get } from '../api.js';
import { fmt, h, page, progressBar, replace, table } from '../dom.js';

/** Ingestion across organizations: the queue, running jobs with their progress, recent failures with codes. */
export function mount(root) {
  const frame = page(root, 'Ingestion', describeError);

  async function load() {
    const { queued = [], running = [], recentFailures = [], totals } = await get('/v1/operator/ingestion');
    replace(
      frame.body,
      totals
        ? h(
            'div',
            { class: 'kpis', id: 'ing-totals' },
            kpi('Queued jobs', fmt.number(totals.queuedJobs)),
            kpi('Initial syncs waiting', fmt.number(totals.initialSyncsWaiting)),
            kpi('Oldest queued', fmt.time(totals.oldestQueuedAt)),
          )
        : null,
      h(
        'section',
        { id: 'ing-running' },
        h('h2', { text: `Running (${running.length})` }),
        table(
          [
            ...genericColumns(running, ['jobId', 'organizationId', 'workspaceId'], ['progress', 'processed', 'total', 'message']),
            { label: 'progress', value: (row) => progress(row.progress ?? row) },
          ],
          running,
          { empty: 'Nothing running.' },
        ),
      ),
      h(
        'section',
        { id: 'ing-queued' },
        h('h2', { text: `Queued (${queued.length})` }),
        table(genericColumns(queued, ['jobId', 'organizationId', 'workspaceId']), queued, { empty: 'The queue is empty.' }),
      ),
      h(
        'section',
        { id: 'ing-failures' },
        h('h2', { text: 'Recent failures' }),
        table(
          [
            { label: 'Job', value: (f) => h('span', { title: f.jobId, text: f.name ?? f.jobId }) },
            { label: 'Workspace', value: (f) => f.workspaceId ?? '–' },
            { label: 'Code', value: (f) => h('code', { class: 'code', text: f.code ?? '–' }) },
            { label: 'Message', value: (f) => f.message ?? '' },
            { label: 'Failed at', value: (f) => fmt.time(f.failedAt) },
          ],
          recentFailures,
          { empty: 'No recent failures.' },
        ),
      ),
    );
  }

  return frame.live(2000, load);
}

/** Columns for rows whose fields the console does not fix: the known ones first, then the rest; `progress` as a bar. */
function genericColumns(rows, first, leaveOut = []) {
  const keys = [...new Set([...first, ...rows.flatMap((row) => Object.keys(row))])].filter((key) => !leaveOut.includes(key));
  return keys.map((key) => ({
    label: key,
    value: (row) => {
      const value = row[key];
      if (key === 'progress') return progress(value);
      if (typeof value === 'string' && /^\d{4}-\d\d-\d\dT/.test(value)) return fmt.time(value);
      if (value !== null && typeof value === 'object') return h('code', { text: JSON.stringify(value) });
      return value === null || value === undefined ? '–' : String(value);
    },
  }));
}

/** A bar when the progress names a done and a total (`processed`/`total`, `current`/`total`, …), else its JSON. */
function progress(value) {
  if (!value || typeof value !== 'object') return value === null || value === undefined ? '–' : String(value);
  const total = value.total ?? value.totalFiles ?? value.filesTotal;
  const done = value.processed ?? value.current ?? value.done ?? value.processedFiles ?? value.filesProcessed;
  const note = value.message ?? value.phase;
  const said = note ? h('span', { class: 'muted', text: ` ${note}` }) : null;
  if (typeof total === 'number' && typeof done === 'number') return h('span', {}, progressBar(done, total), said);
  if (typeof done === 'number') return h('span', {}, `${fmt.number(done)} done`, said);
  return h('code', { text: JSON.stringify(value) });
}

function kpi(label, value) {
  return h('div', { class: 'kpi' }, h('div', { class: 'label', text: label }), h('div', { class: 'value', text: value }));
}
