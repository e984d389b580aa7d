// The operator console: a shell with hash routes (#/projections, #/events?stream=…), one view module each.
import { api, describeError, onUnauthorized, session } from './api.js';
import { h, replace, fmt } from './dom.js';
import * as projections from './views/projections.js';
import * as deadLetters from './views/dead-letters.js';
import * as events from './views/events.js';
import * as dashboard from './views/dashboard.js';
import * as ingestion from './views/ingestion.js';

const ROUTES = {
  projections,
  'dead-letters': deadLetters,
  events,
  dashboard,
  ingestion,
};

const view = document.getElementById('view');
const nav = document.getElementById('nav');
const sessionInfo = document.getElementById('session');
let unmount = null;
let signInMessage = null;

function parseHash() {
  const hash = location.hash.replace(/^#\/?/, '');
  const [name, search = ''] = hash.split('?');
  return { name: name || 'projections', params: Object.fromEntries(new URLSearchParams(search)) };
}

/** Navigates within the console: `navigate('events', { stream: 'job-1' })`. */
export function navigate(name, params = {}) {
  const search = new URLSearchParams(Object.entries(params).filter(([, v]) => v !== undefined && v !== null && v !== '')).toString();
  location.hash = `#/${name}${search ? `?${search}` : ''}`;
}

function render() {
  unmount?.();
  unmount = null;
  if (!session.token) return renderSignIn();
  nav.hidden = false;
  replace(
    sessionInfo,
    session.expiresAt ? `signed in until ${fmt.time(session.expiresAt)} UTC` : 'signed in',
    h('button', { class: 'link', id: 'sign-out', text: 'Sign out', onclick: signOut }),
  );
  const { name, params } = parseHash();
  const module = ROUTES[name];
  for (const link of nav.querySelectorAll('a')) link.classList.toggle('active', link.dataset.route === name);
  if (!module) {
    replace(view, h('p', { class: 'error', text: `No page called "${name}".` }));
    return;
  }
  view.replaceChildren();
  view.dataset.page = name;
  unmount = module.mount(view, params, { navigate }) ?? null;
}

function signOut() {
  session.clear();
  signInMessage = null;
  history.replaceState(null, '', '/console/');
  render();
}

function renderSignIn() {
  nav.hidden = true;
  sessionInfo.replaceChildren();
  view.dataset.page = 'sign-in';
  const token = h('textarea', { id: 'token', rows: 4, placeholder: 'Bearer token (a session token or `npm run console -- token …`)' });
  const error = h('p', { class: 'error', id: 'sign-in-error', hidden: !signInMessage, text: signInMessage ?? '' });
  const form = h(
    'form',
    {
      class: 'card sign-in',
      onsubmit: (event) => {
        event.preventDefault();
        const value = token.value.trim().replace(/^Bearer\s+/i, '');
        if (!value) {
          error.hidden = false;
          error.textContent = 'Paste a token first.';
          return;
        }
        session.set(value, null);
        signInMessage = null;
        if (!location.hash || location.hash === '#') location.hash = '#/projections';
        else render();
      },
    },
    h('h1', { text: 'Sign in' }),
    h('p', {
      class: 'muted',
      text: 'Open the one-time link the start banner prints, or paste a token of the same identity the API takes.',
    }),
    error,
    h('label', { for: 'token', text: 'Token' }),
    token,
    h('button', { type: 'submit', id: 'sign-in-submit', text: 'Sign in' }),
  );
  replace(view, form);
}

/** `#code=…` from the banner's link: exchanged once for a session token, then taken out of the address. */
async function exchangeCode() {
  const code = new URLSearchParams(location.hash.slice(1)).get('code');
  if (!location.hash.startsWith('#code=') || !code) return;
  history.replaceState(null, '', '/console/#/projections');
  replace(view, h('p', { class: 'muted', text: 'Signing in…' }));
  try {
    const { token, expiresAt } = await api('POST', '/v1/console/sessions', { code });
    session.set(token, expiresAt);
  } catch (error) {
    session.clear();
    signInMessage =
      error.status === 400 || error.status === 401 || error.status === 404 || error.status === 410
        ? `This sign-in link is not valid any more (${error.message}). Links work once: print a new one, or paste a token.`
        : describeError(error);
  }
}

onUnauthorized(() => {
  session.clear();
  signInMessage = 'Your session has ended or the token is not valid: sign in again.';
  render();
});

window.addEventListener('hashchange', () => {
  if (location.hash.startsWith('#code=')) void exchangeCode().then(render);
  else render();
});
await exchangeCode();
render();
