// Connector ids holding '.' and '~' (RFC 3986 unreserved, as real ids such
// as `cal.v2` do), end to end in Node against oidc-provider, which compares
// redirect URIs character for character: each id's redirect URI is the
// documented plain form, it connects, and its token reads back under the
// plain and the encoded form of the id. The ids '.' and '..' (dot segments,
// which URL parsers remove) are refused at start.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as api from 'oauth-connectors';
import { APP, SERVICE, USER_SECRET, ISS, userJwt } from './server-checks.mjs';
import { http, openStart } from './consent.mjs';
import { startLocalProvider, signIn } from 'oauth-connectors/dev-provider';

const SCOPES = ['openid', 'offline_access', 'email'];
const client = { clientId: 'ids-app', clientSecret: 'ids-app-secret-0123456789abcdef0123' };
const SECRET = 'connector-ids-server-secret-0123456789abcdef';
const RETURN = 'http://127.0.0.1:5173';


describe('connector ids with "." and "~" against oidc-provider', () => {
  let op;
  let served;
  let server;
  let base;
  let documented;
  const holder = { fetch: (request) => server.fetch(request) };

  before(async () => {
    served = await api.serveNode(holder);
    base = served.url;
    documented = {
      'cal.v2': `${base}/api/apps/${APP}/app-user-auth/connectors/cal.v2/callback`,
      'a.b-c_d~e': `${base}/api/apps/${APP}/app-user-auth/connectors/a.b-c_d~e/callback`,
      'team~1': `${base}/api/apps/${APP}/external-auth/connectors/team~1/callback`,
    };
    op = await startLocalProvider({ clients: [{ ...client, redirectUris: Object.values(documented) }] });
    const spec = { type: 'local_oidc', ...client, scopes: SCOPES };
    server = api.createConnectorsServer({
      appId: APP,
      publicUrl: base,
      secret: SECRET,
      providers: [{ ...op.entry, type: 'local_oidc' }],
      workspaceConnectors: { 'team~1': spec },
      appUserConnectors: { 'cal.v2': spec, 'a.b-c_d~e': spec },
      serviceTokens: [SERVICE],
      users: { secret: USER_SECRET, issuer: ISS, audience: APP },
      allowedReturnUrls: [RETURN],
    });
  });
  after(async () => {
    await served?.close();
    await op?.close();
  });

  test('server.redirectUris() gives the plain form of each id', () => {
    const listed = Object.fromEntries(server.redirectUris().map((r) => [r.connectorId, r.redirectUri]));
    assert.deepEqual(listed, documented);
  });

  for (const id of ['cal.v2', 'a.b-c_d~e']) {
    test(`an app-user connector ${id} connects: initiate, consent, callback, token read`, { timeout: 60_000 }, async () => {
      const jwt = await userJwt('alice');
      const init = await http(base, 'POST', `app-user-auth/connectors/${id}/initiate`, { auth: jwt, json: { return_url: `${RETURN}/done` } });
      assert.equal(init.status, 200, init.text);
      const opened = await openStart(init.body.redirect_url, { referer: `${RETURN}/settings` });
      assert.equal(new URL(opened.url).searchParams.get('redirect_uri'), documented[id]);
      const callback = await signIn(opened.url, { login: 'alice', redirectUri: documented[id] });
      assert.equal(callback.origin + callback.pathname, documented[id]);
      const back = await http(base, 'GET', callback.href, { headers: { cookie: opened.cookie } });
      assert.equal(back.status, 303, back.text);
      const done = new URL(back.location);
      assert.equal(done.searchParams.get('connector'), id);
      assert.equal(done.searchParams.get('status'), 'connected');
      for (const form of [id, encodeURIComponent(id).replace(/\./g, '%2E').replace(/~/g, '%7E')]) {
        const read = await http(base, 'GET', `app-user-auth/connectors/${form}/token`, { auth: SERVICE, obo: jwt });
        assert.equal(read.status, 200, `${form}: ${read.text}`);
        assert.equal(typeof read.body.access_token, 'string');
      }
    });
  }

  test('a workspace connector team~1 connects through its documented callback', { timeout: 60_000 }, async () => {
    const put = await http(base, 'PUT', 'external-auth/connectors/team~1', { auth: SERVICE, json: {} });
    assert.equal(put.status, 200, put.text);
    const opened = await openStart(put.body.redirect_url);
    assert.equal(new URL(opened.url).searchParams.get('redirect_uri'), documented['team~1']);
    const callback = await signIn(opened.url, { login: 'teamadmin', redirectUri: documented['team~1'] });
    const page = await http(base, 'GET', callback.href, { headers: { cookie: opened.cookie } });
    assert.equal(page.status, 200, page.text);
    const read = await http(base, 'GET', 'external-auth/tokens/connectors/team%7E1', { auth: SERVICE });
    assert.equal(read.status, 200, read.text);
  });
});

test('the connector ids "." and ".." are refused at start with CONFIG_INVALID', () => {
  const spec = { type: 'github', clientId: 'CID', clientSecret: 'CS' };
  for (const id of ['.', '..']) {
    for (const kind of ['workspaceConnectors', 'appUserConnectors']) {
      assert.throws(
        () => api.createConnectorsServer({ appId: APP, publicUrl: 'https://connect.example', secret: SECRET, [kind]: { [id]: spec } }),
        (e) => e.code === 'CONFIG_INVALID' && e.message.includes(`"${id}"`) && e.message.includes('dot segments'),
      );
    }
  }
  assert.throws(
    () => api.createConnectorsServer({ appId: APP, publicUrl: 'https://connect.example', secret: SECRET, appUserConnectors: { 'cal/v2': spec } }),
    (e) => e.code === 'CONFIG_INVALID' && e.message.includes('^[A-Za-z0-9._~-]+$'),
  );
});
