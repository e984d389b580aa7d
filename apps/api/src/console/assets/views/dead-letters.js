import { describeError, get, post, query } from '../api.js';
import { fmt, h, jsonBlock, openKeys, page, replace } from '../dom.js';

const LIMIT = 25;

/** Dead letters, newest first, with the failing event, its error, and retry / skip (admin). */
export function mount(root, params, { navigate }) {
  const filter = h('input', { id: 'dl-projection', placeholder: 'projection', value: params.projection ?? '' });
  const apply = h('button', {
    class: 'secondary',
    text: 'Filter',
    onclick: () => navigate('dead-letters', { projection: filter.value.trim() }),
  });
  filter.addEventListener('keydown', (e) => e.key === 'Enter' && apply.click());
  const frame = page(root, 'Dead letters', describeError, filter, apply);
  const pages = []; // the `before` cursors of the pages before this one
  let before = undefined;
  let next = null;
  let letters = [];
  const busy = new Set();

  async function act(letter, action) {
    busy.add(letter.id);
    draw();
    try {
      const result = await post(`/v1/operator/dead-letters/${encodeURIComponent(letter.id)}/${action}`);
      if (action === 'skip') frame.flash(`Skipped ${letter.eventType} at ${letter.position} (position ${result.position}).`);
      else if (result.outcome === 'applied')
        frame.flash(`Retried ${letter.eventType} at ${letter.position}: applied (position ${result.position}).`);
      else frame.flash(`Retried ${letter.eventType} at ${letter.position}: failed again: ${result.error ?? 'no error given'}`, 'bad');
    } catch (failure) {
      frame.flash(`${action === 'skip' ? 'Skip' : 'Retry'} refused: ${describeError(failure)}`, 'bad');
    } finally {
      busy.delete(letter.id);
    }
    await load();
  }

  function draw() {
    const open = openKeys(frame.body);
    const list = letters.length
      ? h(
          'ul',
          { class: 'cards' },
          letters.map((letter) =>
            h(
              'li',
              { class: 'card dead-letter', dataset: { id: letter.id } },
              h(
                'div',
                { class: 'row' },
                h('strong', { class: 'type', text: letter.eventType }),
                h('span', { class: 'muted', text: ` ${letter.projection} (gen. ${letter.generation}) · position ${letter.position} · ` }),
                h('a', {
                  href: '#',
                  text: letter.streamId,
                  onclick: (e) => (e.preventDefault(), navigate('events', { stream: letter.streamId })),
                }),
                h('span', { class: 'muted', text: ` · ${fmt.time(letter.createdAt)}` }),
              ),
              h('pre', { class: 'failure', text: letter.error }),
              h(
                'details',
                { dataset: { key: letter.id }, open: open.has(letter.id) },
                h('summary', { text: 'Event data and metadata' }),
                h('div', { class: 'json-pair' }, jsonBlock('data', letter.event?.data), jsonBlock('metadata', letter.event?.metadata)),
              ),
              h(
                'div',
                { class: 'actions' },
                h('button', {
                  dataset: { action: 'retry' },
                  disabled: busy.has(letter.id),
                  text: 'Retry',
                  onclick: () => act(letter, 'retry'),
                }),
                h('button', {
                  class: 'secondary',
                  dataset: { action: 'skip' },
                  disabled: busy.has(letter.id),
                  text: 'Skip',
                  onclick: () => act(letter, 'skip'),
                }),
              ),
            ),
          ),
        )
      : h('p', { class: 'muted empty', text: 'No dead letters.' });
    const pager = h(
      'div',
      { class: 'pager' },
      h('button', {
        class: 'secondary',
        text: '← Newer',
        disabled: pages.length === 0,
        onclick: () => ((before = pages.pop()), refresh()),
      }),
      h('button', {
        class: 'secondary',
        text: 'Older →',
        disabled: !next,
        onclick: () => (pages.push(before), (before = next), refresh()),
      }),
    );
    replace(frame.body, list, pager);
  }

  async function load() {
    const result = await get(`/v1/operator/dead-letters${query({ projection: params.projection, limit: LIMIT, before })}`);
    letters = result.deadLetters;
    next = result.next ?? null;
    draw();
  }

  let stop = frame.live(2000, load);
  function refresh() {
    stop();
    stop = frame.live(2000, load);
  }
  return () => stop();
}
