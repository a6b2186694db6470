import { APP, readAnswer } from './server-checks.mjs';

// Opening a consent URL as a browser does. With the browser binding (on by
// default) `redirect_url` is the server's start route: it answers 303 to the
// provider and sets the binding cookie that the callback wants back.
export async function openStart(url, { referer, open = fetch } = {}) {
  const response = await open(new Request(url, { headers: referer ? { referer } : {}, redirect: 'manual' }));
  if (response.status !== 303) throw new Error(`the start route answered ${response.status}: ${await response.text()}`);
  const cookie = (response.headers.get('set-cookie') ?? '').split(';')[0];
  if (!/^(__Host-)?oauth-connectors-bind-[A-Za-z0-9_-]{12}=[A-Za-z0-9_-]{43}$/.test(cookie)) {
    throw new Error(`the start route set no binding cookie: ${cookie}`);
  }
  return { url: response.headers.get('location'), cookie };
}

/** A fetch over real HTTP to `${base}/api/apps/${APP}/${path}` (or an absolute URL), read whole; `obo` goes in on-behalf-of. */
export async function http(base, method, path, { auth, obo, json, headers: extra } = {}) {
  const headers = { ...extra };
  if (auth) headers.authorization = `Bearer ${auth}`;
  if (obo) headers['on-behalf-of'] = `Bearer ${obo}`;
  if (json !== undefined) headers['content-type'] = 'application/json';
  const url = /^https?:/.test(path) ? path : `${base}/api/apps/${APP}/${path}`;
  const response = await fetch(url, { method, headers, body: json !== undefined ? JSON.stringify(json) : undefined, redirect: 'manual' });
  return readAnswer(response, method, path);
}
