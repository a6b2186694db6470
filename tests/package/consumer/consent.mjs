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

// Giving a key at a Stripe claim URL as a browser does: the page sets its
// binding cookie and holds the form's sealed token; the post carries both.
export async function claimStripe(url, key) {
  const page = await fetch(url, { redirect: 'manual' });
  const text = await page.text();
  if (page.status !== 200) throw new Error(`the claim page answered ${page.status}`);
  const cookie = (page.headers.get('set-cookie') ?? '').split(';')[0];
  const token = /name="token" value="([^"]+)"/.exec(text)?.[1];
  const action = /<form method="post" action="([^"]+)"/.exec(text)?.[1];
  if (!token || !action) throw new Error('the claim page holds no form');
  const done = await fetch(action, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
    body: new URLSearchParams({ token, secret_key: key }).toString(),
    redirect: 'manual',
  });
  await done.text();
  if (done.status !== 200) throw new Error(`the claim form answered ${done.status}`);
}
