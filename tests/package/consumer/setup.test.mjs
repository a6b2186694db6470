// What a new user meets when setting up (Node): the redirect URIs a
// provider must have registered, sent exactly as documented (an end-to-end
// flow against oidc-provider, which compares them character for character,
// with a shared type and an app-user connector id holding '_'), and
// `server.redirectUris()`; every bad connector file reported at once;
// connector files without credentials refused at start; the secret
// option's two mistakes; a callback for a connector the server does not
// have; and type ids in any case.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as api from 'oauth-connectors';
import { APP, SERVICE, USER_SECRET, ISS, userJwt } from './server-checks.mjs';
import { signIn, startLocalProvider } from 'oauth-connectors/dev-provider';
import { http, openStart } from './consent.mjs';

const SCOPES = ['openid', 'offline_access', 'email'];
const client = { clientId: 'setup-app', clientSecret: 'setup-app-secret-0123456789abcdef' };
const SECRET = 'setup-test-server-secret-0123456789abcdef';
const RETURN = 'http://127.0.0.1:5173';


describe('redirect URIs with "_" against oidc-provider (exact redirect_uri matching)', () => {
  let op;
  let served;
  let server;
  let base;
  let documented;
  const holder = { fetch: (request) => server.fetch(request) };

  before(async () => {
    served = await api.serveNode(holder);
    base = served.url;
    // Registered at the provider exactly as the README documents them.
    documented = {
      shared: `${base}/api/apps/${APP}/external-auth/callback/local_oidc`,
      workspace: `${base}/api/apps/${APP}/external-auth/connectors/team-drive_1/callback`,
      appUser: `${base}/api/apps/${APP}/app-user-auth/connectors/my_calendar/callback`,
    };
    op = await startLocalProvider({ clients: [{ ...client, redirectUris: Object.values(documented) }] });
    server = api.createConnectorsServer({
      appId: APP,
      publicUrl: base,
      secret: SECRET,
      // A custom provider registered under a type with '_'.
      providers: [{ ...op.entry, type: 'local_oidc' }],
      connectors: [{ type: 'local_oidc', scopes: SCOPES }],
      credentials: { local_oidc: { ...client } },
      workspaceConnectors: { 'team-drive_1': { type: 'local_oidc', ...client, scopes: SCOPES } },
      appUserConnectors: { my_calendar: { type: 'local_oidc', ...client, scopes: SCOPES } },
      serviceTokens: [SERVICE],
      users: { secret: USER_SECRET, issuer: ISS, audience: APP },
      allowedReturnUrls: [RETURN],
    });
  });
  after(async () => {
    await served?.close();
    await op?.close();
  });

  test('server.redirectUris() lists each connector with the documented URI', () => {
    assert.deepEqual(server.redirectUris(), [
      { kind: 'shared', integrationType: 'local_oidc', redirectUri: documented.shared },
      { kind: 'workspace', connectorId: 'team-drive_1', integrationType: 'local_oidc', redirectUri: documented.workspace },
      { kind: 'app_user', connectorId: 'my_calendar', integrationType: 'local_oidc', redirectUri: documented.appUser },
    ]);
  });

  test('a shared connector of type local_oidc connects: PUT, consent, callback, token read', { timeout: 60_000 }, async () => {
    const put = await http(base, 'PUT', 'external-auth/integrations/local_oidc', { auth: SERVICE, json: { scopes: SCOPES } });
    assert.equal(put.status, 200, put.text);
    const opened = await openStart(put.body.redirect_url);
    assert.equal(new URL(opened.url).searchParams.get('redirect_uri'), documented.shared);
    const callback = await signIn(opened.url, { login: 'admin', redirectUri: documented.shared });
    assert.equal(callback.origin + callback.pathname, documented.shared);
    const page = await http(base, 'GET', callback.href, { headers: { cookie: opened.cookie } });
    assert.equal(page.status, 200, page.text);
    const read = await http(base, 'GET', 'external-auth/tokens/local_oidc', { auth: SERVICE });
    assert.equal(read.status, 200, read.text);
    assert.equal(read.body.integration_type, 'local_oidc');
  });

  test('an app-user connector my_calendar connects: initiate, consent, callback, token read', { timeout: 60_000 }, async () => {
    const jwt = await userJwt('alice');
    const init = await http(base, 'POST', 'app-user-auth/connectors/my_calendar/initiate', { auth: jwt, json: { return_url: `${RETURN}/done` } });
    assert.equal(init.status, 200, init.text);
    const opened = await openStart(init.body.redirect_url, { referer: `${RETURN}/settings` });
    assert.equal(new URL(opened.url).searchParams.get('redirect_uri'), documented.appUser);
    const callback = await signIn(opened.url, { login: 'alice', redirectUri: documented.appUser });
    const back = await http(base, 'GET', callback.href, { headers: { cookie: opened.cookie } });
    assert.equal(back.status, 303, back.text);
    assert.equal(back.location, `${RETURN}/done?connector=my_calendar&status=connected`);
    const read = await fetch(`${base}/api/apps/${APP}/app-user-auth/connectors/my_calendar/token`, {
      headers: { authorization: `Bearer ${SERVICE}`, 'on-behalf-of': `Bearer ${jwt}` },
    });
    assert.equal(read.status, 200, await read.clone().text());
    assert.equal(typeof (await read.json()).access_token, 'string');
  });

  test('a workspace connector team-drive_1 connects through its documented callback', { timeout: 60_000 }, async () => {
    const put = await http(base, 'PUT', 'external-auth/connectors/team-drive_1', { auth: SERVICE, json: {} });
    assert.equal(put.status, 200, put.text);
    const opened = await openStart(put.body.redirect_url);
    const callback = await signIn(opened.url, { login: 'teamadmin', redirectUri: documented.workspace });
    const page = await http(base, 'GET', callback.href, { headers: { cookie: opened.cookie } });
    assert.equal(page.status, 200, page.text);
    // The encoded form of the same id reaches the same connector.
    const read = await http(base, 'GET', 'external-auth/tokens/connectors/team%2Ddrive%5F1', { auth: SERVICE });
    assert.equal(read.status, 200, read.text);
  });
});

test('every catalog type: the redirect URI is {publicUrl}/api/apps/{appId}/external-auth/callback/{type}, unencoded', () => {
  const types = api.listAvailable().map((p) => p.integrationType).filter((t) => api.getProvider(t).auth_model === 'oauth');
  assert.ok(types.includes('microsoft_teams') && types.includes('google_search_console'), types.join());
  const credentials = {};
  for (const t of types) {
    const fields = api.getProvider(t).connection_config_fields ?? [];
    const connectionConfig = {};
    for (const f of fields) if (f.default) connectionConfig[f.name] = f.default;
    credentials[t] = { clientId: 'cid', clientSecret: 'cs', connectionConfig };
  }
  const server = api.createConnectorsServer({ appId: 'my_app-1', publicUrl: 'https://connect.example', secret: SECRET, credentials });
  const listed = server.redirectUris();
  assert.equal(listed.length, types.length);
  for (const t of types) {
    const entry = listed.find((e) => e.integrationType === t);
    assert.deepEqual(entry, { kind: 'shared', integrationType: t, redirectUri: `https://connect.example/api/apps/my_app-1/external-auth/callback/${t}` });
  }
});

const bad = (errors) => (e) => {
  assert.ok(e instanceof api.ConnectorsError, String(e));
  assert.deepEqual(e.errors.map(({ code, path, line, column }) => ({ code, path, line, column })), errors);
  return true;
};

test('validateConnectors and loadConnectorsDir report every bad file, each with path, line and column', async () => {
  const files = [
    { path: 'c/a.jsonc', text: '{\n  "type": "github",\n  "scope": []\n}' },
    { path: 'c/b.jsonc', text: '{"type": "github"}' },
    { path: 'c/c.jsonc', text: '{\n  "type": "githb"\n}' },
    { path: 'c/d.jsonc', text: new TextEncoder().encode('{"type": "slack",') },
    { path: 'c/e.jsonc', text: '{"type": "slack"}' },
  ];
  const expected = [
    { code: 'UNKNOWN_FIELD', path: 'c/a.jsonc', line: 3, column: 3 },
    { code: 'UNKNOWN_PROVIDER', path: 'c/c.jsonc', line: 2, column: 11 },
    { code: 'CONFIG_SYNTAX', path: 'c/d.jsonc', line: 1, column: 1 },
  ];
  let thrown;
  assert.throws(() => api.validateConnectors(files), (e) => (thrown = e, bad(expected)(e)));
  // The first one's code and place stay on the error, as before.
  assert.equal(thrown.code, 'UNKNOWN_FIELD');
  assert.deepEqual([thrown.path, thrown.line, thrown.column], ['c/a.jsonc', 3, 3]);
  const lines = thrown.message.split('\n');
  assert.equal(lines.length, 3, thrown.message);
  assert.deepEqual(lines, thrown.errors.map((e) => e.message));
  assert.match(lines[0], /^c\/a\.jsonc:3:3: Unknown field "scope"/);
  assert.match(lines[1], /^c\/c\.jsonc:2:11: Unknown connector type "githb"\. Did you mean "github"\?/);
  assert.equal(thrown.errors[1].suggestion, 'github');
  assert.match(lines[2], /^c\/d\.jsonc:1:1: /);
  // One bad file: the error as before, listed alone.
  assert.throws(() => api.validateConnectors([files[2]]), (e) =>
    e.code === 'UNKNOWN_PROVIDER' && e.errors.length === 1 && e.message === e.errors[0].message && !e.message.includes('\n'));

  const dir = await mkdtemp(join(tmpdir(), 'oauth-connectors-setup-'));
  try {
    await writeFile(join(dir, 'a.jsonc'), '{"type": "github"}');
    await writeFile(join(dir, 'b.jsonc'), '{\n  "type": "GitHub"\n}');
    await writeFile(join(dir, 'c.json'), '{"type": "slack", "scopes": ["a b"]}');
    await writeFile(join(dir, 'd.jsonc'), '{"type": "notion"}');
    await assert.rejects(api.loadConnectorsDir(dir), bad([
      { code: 'DUPLICATE_CONNECTOR', path: join(dir, 'b.jsonc'), line: 2, column: 11 },
      { code: 'INVALID_SCOPE', path: join(dir, 'c.json'), line: 1, column: 30 },
    ]));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

const serverOptions = (overrides = {}) => ({ appId: APP, publicUrl: 'https://connect.example', secret: SECRET, ...overrides });

test('createConnectorsServer refuses connector files whose type has no credentials, naming each', () => {
  const connectors = [
    { path: 'base44/connectors/github.jsonc', text: '{"type": "github"}' },
    { path: 'base44/connectors/slack.jsonc', text: '{\n  "type": "slack",\n}' },
    { path: 'base44/connectors/notion.jsonc', text: '{"type": "notion"}' },
    { path: 'base44/connectors/stripe.jsonc', text: '{"type": "stripe"}' },
  ];
  let thrown;
  assert.throws(() => api.createConnectorsServer(serverOptions({ connectors, credentials: { notion: { clientId: 'n' } } })), (e) => {
    thrown = e;
    return bad([
      { code: 'CONFIG_INVALID', path: 'base44/connectors/github.jsonc', line: 1, column: 10 },
      { code: 'CONFIG_INVALID', path: 'base44/connectors/slack.jsonc', line: 2, column: 11 },
    ])(e);
  });
  assert.equal(thrown.code, 'CONFIG_INVALID');
  assert.match(thrown.message, /^base44\/connectors\/github\.jsonc:1:10: The connector file declares "github", which has no credentials: add credentials\.github/);
  assert.match(thrown.message, /\nbase44\/connectors\/slack\.jsonc:2:11: The connector file declares "slack", which has no credentials/);
  // With credentials for each (Stripe needs none), the same files start.
  const credentials = { github: { clientId: 'g' }, slack: { clientId: 's' }, notion: { clientId: 'n' } };
  assert.equal(typeof api.createConnectorsServer(serverOptions({ connectors, credentials })).fetch, 'function');
});

test('createConnectorsServer: no secret and two secrets each say what is wrong', () => {
  assert.throws(() => api.createConnectorsServer({ appId: APP, publicUrl: 'https://connect.example' }), (e) =>
    e.code === 'INVALID_INPUT' && /^A secret is required: give secret/.test(e.message) && !e.message.includes('not both'));
  assert.throws(() => api.createConnectorsServer(serverOptions({ secrets: [SECRET] })), (e) =>
    e.code === 'INVALID_INPUT' && /, not both$/.test(e.message));
});

test('a callback for a type or connector the server does not have is unknown_connector (404), not provider_error', async () => {
  const server = api.createConnectorsServer(serverOptions({ credentials: { github: { clientId: 'g' } } }));
  for (const path of ['external-auth/callback/nosuchtype', 'app-user-auth/connectors/nope/callback', 'external-auth/connectors/nope/callback']) {
    const response = await server.fetch(new Request(`https://connect.example/api/apps/${APP}/${path}?code=c&state=s`));
    const page = await response.text();
    assert.equal(response.status, 404, `${path}: ${page}`);
    assert.match(page, /\(unknown_connector\)/);
    assert.ok(!page.includes('provider_error'), page);
  }
});

test('type ids are read in lower case everywhere a type is looked up', async () => {
  assert.equal(api.parseConnectorFile('{"type": "Slack"}').type, 'slack');
  assert.equal(api.getProvider('GitHub').type, 'github');
  assert.equal(api.registerProvider({ ...api.getProvider('github'), type: 'My_GitHub' }).type, 'my_github');
  assert.equal(api.getProvider('my_github').type, 'my_github');
  assert.match(api.generateTypes(['Slack']), /"slack": true;/);
  assert.throws(() => api.validateConnectors([{ type: 'slack' }, { type: 'SLACK' }]), { code: 'DUPLICATE_CONNECTOR' });
  const server = api.createConnectorsServer(serverOptions({
    connectors: [{ type: 'Microsoft_Teams' }],
    credentials: { MICROSOFT_TEAMS: { clientId: 'cid' } },
    serviceTokens: [SERVICE],
  }));
  assert.deepEqual(server.redirectUris(), [
    { kind: 'shared', integrationType: 'microsoft_teams', redirectUri: `https://connect.example/api/apps/${APP}/external-auth/callback/microsoft_teams` },
  ]);
  for (const type of ['microsoft_teams', 'Microsoft_Teams', 'microsoft%5Fteams']) {
    const response = await server.fetch(new Request(`https://connect.example/api/apps/${APP}/external-auth/tokens/${type}`, { headers: { authorization: `Bearer ${SERVICE}` } }));
    assert.equal(response.status, 404);
    assert.equal(response.headers.get('x-base44-connector-error'), 'NOT_CONNECTED', type);
  }
  assert.throws(() => api.createConnectorsServer(serverOptions({ credentials: { slack: { clientId: 'a' }, Slack: { clientId: 'b' } } })), { code: 'CONFIG_INVALID' });
  // The vault's shared connections too.
  const vault = new api.TokenVault({ secrets: [SECRET] });
  await vault.save({ kind: 'shared', integrationType: 'Slack' }, { accessToken: 'AT', expiresAt: Date.now() + 3_600_000 });
  assert.equal((await vault.status({ kind: 'shared', integrationType: 'slack' }))?.status, 'active');
});
