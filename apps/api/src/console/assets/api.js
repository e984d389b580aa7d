// The API, with the session's bearer token. The token lives in sessionStorage: gone with the tab.

const TOKEN = 'console.token';
const EXPIRES = 'console.expiresAt';

export const session = {
  get token() {
    return sessionStorage.getItem(TOKEN);
  },
  get expiresAt() {
    return sessionStorage.getItem(EXPIRES);
  },
  set(token, expiresAt) {
    sessionStorage.setItem(TOKEN, token);
    if (expiresAt) sessionStorage.setItem(EXPIRES, expiresAt);
    else sessionStorage.removeItem(EXPIRES);
  },
  clear() {
    sessionStorage.removeItem(TOKEN);
    sessionStorage.removeItem(EXPIRES);
  },
};

export class ApiError extends Error {
  constructor(status, code, message, details) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

/** Listeners told when the API answers 401: the shell then sends the user back to sign in. */
const unauthorized = new Set();
export const onUnauthorized = (listener) => unauthorized.add(listener);

export async function api(method, path, body) {
  const headers = { accept: 'application/json' };
  if (session.token) headers.authorization = `Bearer ${session.token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  let response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiError(0, 'unreachable', 'The API cannot be reached: is Console running?');
  }
  const text = await response.text();
  let parsed = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = text;
  }
  if (!response.ok) {
    const error = parsed && typeof parsed === 'object' && parsed.error ? parsed.error : {};
    const failure = new ApiError(
      response.status,
      error.code ?? `http_${response.status}`,
      error.message ?? response.statusText,
      error.details,
    );
    if (response.status === 401 && path !== '/v1/console/sessions') for (const listener of unauthorized) listener(failure);
    throw failure;
  }
  return parsed;
}

export const get = (path) => api('GET', path);
export const post = (path, body = {}) => api('POST', path, body);

/** A query string from the defined entries only. */
export function query(params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params))
    if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
}

/** What to tell the user, by the error's code and status. */
export function describeError(error) {
  if (!(error instanceof ApiError)) return `Unexpected error: ${error?.message ?? error}`;
  if (error.code === 'operator_required') return 'Your user is not an operator: this page needs an operator account.';
  if (error.status === 401) return 'Your session has ended or the token is not valid: sign in again.';
  if (error.status === 403) return `Not allowed: ${error.message}`;
  if (error.status === 404 && /^Cannot (GET|POST) /.test(error.message))
    return `This API has no such route: ${error.message.slice(error.message.indexOf(' ') + 1)}.`;
  if (error.status === 0) return error.message;
  return `${error.message} (${error.code}, HTTP ${error.status})`;
}
