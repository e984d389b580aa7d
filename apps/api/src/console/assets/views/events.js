import { describeError, get, query } from '../api.js';
import { fmt, h, jsonBlock, openKeys, page, replace } from '../dom.js';

const LIMIT = 50;

/**
 * The event log: its tail (newest first, paged back with `before`) or one stream (in order, paged
 * on with `after`), filtered by type; each event opens to its data and metadata. The first page
 * refreshes live; older pages hold still.
 */
export function mount(root, params, { navigate }) {
  const stream = h('input', { id: 'ev-stream', placeholder: 'stream id (empty: the whole log)', value: params.stream ?? '' });
  const type = h('input', { id: 'ev-type', placeholder: 'event type', value: params.type ?? '' });
  const apply = h('button', { text: 'Show', onclick: () => navigate('events', { stream: stream.value.trim(), type: type.value.trim() }) });
  for (const input of [stream, type]) input.addEventListener('keydown', (e) => e.key === 'Enter' && apply.click());
  const frame = page(root, params.stream ? `Stream ${params.stream}` : 'Event log', describeError, stream, type, apply);
  const cursors = [];
  let cursor = undefined;
  let next = null;
  let events = [];

  function draw() {
    const open = openKeys(frame.body);
    const shown = params.stream && params.type ? events.filter((e) => e.type === params.type) : events;
    const list = shown.length
      ? h(
          'ul',
          { class: 'events' },
          shown.map((event) => {
            const key = String(event.position);
            return h(
              'li',
              { class: 'event', dataset: { position: key, type: event.type } },
              h(
                'details',
                { dataset: { key }, open: open.has(key) },
                h(
                  'summary',
                  {},
                  h('span', { class: 'pos', text: key }),
                  h('a', {
                    class: 'type',
                    href: '#',
                    title: 'only this type',
                    text: event.type,
                    onclick: (e) => (e.preventDefault(), navigate('events', { stream: params.stream, type: event.type })),
                  }),
                  h('a', {
                    class: 'stream',
                    href: '#',
                    text: `${event.streamId} @${event.revision}`,
                    onclick: (e) => (e.preventDefault(), navigate('events', { stream: event.streamId })),
                  }),
                  h('span', { class: 'muted', text: fmt.time(event.recordedAt) }),
                ),
                h('div', { class: 'json-pair' }, jsonBlock('data', event.data), jsonBlock('metadata', event.metadata)),
              ),
            );
          }),
        )
      : h('p', { class: 'muted empty', text: 'No events.' });
    const pager = h(
      'div',
      { class: 'pager' },
      h('button', {
        class: 'secondary',
        text: params.stream ? '← First' : '← Newer',
        disabled: cursors.length === 0,
        onclick: () => ((cursor = cursors.pop()), refresh()),
      }),
      h('button', {
        class: 'secondary',
        text: params.stream ? 'Later →' : 'Older →',
        disabled: !next,
        onclick: () => (cursors.push(cursor), (cursor = next), refresh()),
      }),
    );
    replace(frame.body, list, pager);
  }

  async function load() {
    const result = params.stream
      ? await get(`/v1/operator/streams/${encodeURIComponent(params.stream)}/events${query({ after: cursor, limit: LIMIT })}`)
      : await get(`/v1/operator/events${query({ before: cursor, limit: LIMIT, type: params.type })}`);
    events = result.events;
    next = result.next ?? null;
    draw();
  }

  let stop = () => {};
  function refresh() {
    stop();
    if (cursor === undefined) stop = frame.live(2000, load);
    else {
      stop = () => {};
      load().then(
        () => frame.ok(),
        (failure) => frame.fail(failure),
      );
    }
  }
  refresh();
  return () => stop();
}
