import { describeError, get, post } from '../api.js';
import { fmt, h, page, progressBar, replace, table } from '../dom.js';

/** Projections, refreshed every 2 s, with the blue/green rebuild (admin) and its progress. */
export function mount(root, _params, { navigate }) {
  const frame = page(root, 'Projections', describeError);
  const armed = new Map(); // name → time the Rebuild button asks for confirmation until
  let last = [];

  async function rebuild(name) {
    if ((armed.get(name) ?? 0) < Date.now()) {
      armed.set(name, Date.now() + 5000);
      draw();
      return;
    }
    armed.delete(name);
    try {
      const { position } = await post(`/v1/operator/projections/${encodeURIComponent(name)}/rebuild`);
      frame.flash(`Rebuild of ${name} started (requested at position ${position}).`);
    } catch (failure) {
      frame.flash(`Rebuild of ${name} refused: ${describeError(failure)}`, 'bad');
    }
    await load();
  }

  function draw() {
    const columns = [
      { label: 'Projection', value: (p) => h('strong', { class: 'name', text: p.name }) },
      { label: 'Status', value: (p) => h('span', { class: `badge ${p.status}`, text: p.status }) },
      { label: 'Gen.', class: 'num', value: (p) => fmt.number(p.generation) },
      { label: 'Position', class: 'num', value: (p) => String(p.position ?? '–') },
      { label: 'Lag (events)', class: 'num', value: (p) => fmt.number(p.lagEvents) },
      { label: 'Lag', class: 'num', value: (p) => fmt.seconds(p.lagSeconds) },
      { label: 'Events/s', class: 'num', value: (p) => fmt.number(p.eventsPerSecond, 1) },
      { label: 'Processed', class: 'num', value: (p) => fmt.number(p.eventsProcessed) },
      {
        label: 'Dead letters',
        class: 'num',
        value: (p) =>
          p.deadLetters > 0
            ? h('a', {
                href: '#',
                text: fmt.number(p.deadLetters),
                onclick: (e) => (e.preventDefault(), navigate('dead-letters', { projection: p.name })),
              })
            : '0',
      },
      {
        label: 'Process',
        value: (p) => [
          h('div', { text: `active: ${p.activeProcess ?? '–'}` }),
          h('div', { class: 'muted', text: `standby: ${formatStandby(p.standbyProcesses, p.processes)}` }),
        ],
      },
      { label: 'Updated', value: (p) => fmt.time(p.updatedAt) },
      {
        label: 'Rebuild',
        value: (p) =>
          p.rebuild
            ? h(
                'div',
                { class: 'rebuild' },
                h('div', { text: `generation ${p.rebuild.generation}, since ${fmt.time(p.rebuild.startedAt)}` }),
                progressBar(p.rebuild.eventsApplied, p.rebuild.eventsTotal),
              )
            : h('button', {
                class: (armed.get(p.name) ?? 0) > Date.now() ? 'danger' : 'secondary',
                dataset: { action: 'rebuild', projection: p.name },
                text: (armed.get(p.name) ?? 0) > Date.now() ? 'Confirm rebuild' : 'Rebuild',
                onclick: () => rebuild(p.name),
              }),
      },
    ];
    replace(
      frame.body,
      table(columns, last, {
        empty: 'No projections registered.',
        rowAttrs: (p) => ({ dataset: { projection: p.name }, class: p.status === 'running' ? '' : 'attention' }),
      }),
    );
  }

  async function load() {
    last = (await get('/v1/operator/projections')).projections;
    draw();
  }

  return frame.live(2000, load);
}

function formatStandby(standby, processes) {
  if (standby === null || standby === undefined) return '–';
  const waiting = (processes ?? []).filter((process) => process.role === 'standby');
  if (waiting.length) return `${standby} (${waiting.map((process) => `${process.host} pid ${process.pid}`).join(', ')})`;
  if (Array.isArray(standby)) return standby.length ? standby.join(', ') : 'none';
  return String(standby);
}
