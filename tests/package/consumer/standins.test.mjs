// Every catalog provider's whole flow against its stand-in (./standins/),
// a scripted provider written from that provider's documentation, on the
// provider's real URLs: the connectors server's `fetch` option routes them
// to the stand-in, so nothing leaves the process. Through the public API
// only (createConnectorsServer, server.fetch, the built-in catalog as it
// ships): the management PUT and its consent URL, the provider's consent,
// the callback and the code exchange, a token read, the refresh when the
// token is due and a second read, the user revoking the app at the
// provider (the refresh answers invalid_grant, the connection is expired,
// a reconnect brings it back), and the disconnect with its revocation.
// Any request a stand-in refuses fails the test.
//
// Time: access tokens live as long as each provider's docs say (an hour,
// five minutes...); the test moves `Date.now`, which the server, its store
// and the stand-ins all read, instead of waiting.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as api from 'oauth-connectors';
import { APP, SERVICE } from './server-checks.mjs';
import { openStart } from './consent.mjs';
import { standIns } from './standins/index.mjs';

const PUBLIC = 'https://connect.app.example';
const SECRET = 'standins-server-secret-0123456789abcdef';

const realNow = Date.now;
let skew = 0;
Date.now = () => realNow() + skew;
after(() => { Date.now = realNow; });

/** Moves the clock forward by `ms`. */
const advance = (ms) => { skew += ms; };

const catalog = api.listAvailable().map((p) => api.getProvider(p.integrationType));
const oauthTypes = catalog.filter((p) => p.auth_model === 'oauth').map((p) => p.type);
const managedTypes = catalog.filter((p) => p.auth_model === 'managed').map((p) => p.type);

test('every OAuth entry of the catalog has a stand-in, and every stand-in an entry', () => {
  const covered = standIns.flatMap((s) => s.types);
  assert.deepEqual(oauthTypes.filter((t) => !covered.includes(t)), [], 'catalog entries without a stand-in');
  assert.deepEqual(covered.filter((t) => !oauthTypes.includes(t)), [], 'stand-ins of no catalog entry');
  assert.equal(new Set(covered).size, covered.length, 'a type with two stand-ins');
  // Managed entries (Stripe) have no OAuth endpoints to stand in for.
  assert.deepEqual(managedTypes, ['stripe']);
  for (const s of standIns) {
    for (const type of s.types) {
      const docs = s.create(type).docs;
      assert.ok(docs?.length && docs.every((d) => /^https:\/\//.test(d)), `${type}: the stand-in names its documentation`);
    }
  }
});

test('what no source confirmed is marked in its entry, and getProvider shows it', () => {
  // The facts the catalog was checked for and no provider document confirms.
  for (const [type, field] of [
    ['linkedin', 'revocation'],
    ['quickbooks', 'revocation.format'],
    ['calendly', 'scope.separator'],
    ['discord', 'pkce'],
    ['box', 'pkce'],
    ['notion', 'pkce'],
    ['quickbooks', 'pkce'],
    ['typeform', 'pkce'],
  ]) {
    const unconfirmed = api.getProvider(type).unconfirmed ?? {};
    assert.equal(typeof unconfirmed[field], 'string', `${type}: ${field} is marked unconfirmed (${JSON.stringify(unconfirmed)})`);
  }
  // What a source confirmed is not marked (Google's entries cite Google's docs for every fact).
  assert.equal(api.getProvider('googlecalendar').unconfirmed, undefined);
});

async function send(server, method, path, { json, headers = {} } = {}) {
  const url = /^https:/.test(path) ? path : `${PUBLIC}/api/apps/${APP}/${path}`;
  const h = new Headers(headers);
  if (!/^https:/.test(path)) h.set('authorization', `Bearer ${SERVICE}`);
  if (json !== undefined) h.set('content-type', 'application/json');
  const response = await server.fetch(new Request(url, { method, headers: h, body: json === undefined ? undefined : JSON.stringify(json), redirect: 'manual' }));
  const text = await response.text();
  let body = null;
  try { body = JSON.parse(text); } catch { body = null; }
  return { status: response.status, headers: response.headers, text, body };
}

/** The builder connects the shared connector: PUT, the start route, the provider's consent, the callback. */
async function connect(server, si) {
  const put = await send(server, 'PUT', `external-auth/integrations/${si.type}`, { json: { scopes: si.scopes } });
  assert.equal(put.status, 200, put.text);
  assert.equal(put.body.already_authorized, false, put.text);
  const opened = await openStart(put.body.redirect_url, { open: (request) => server.fetch(request) });
  const back = si.consent(opened.url);
  const page = await send(server, 'GET', back, { headers: { cookie: opened.cookie } });
  assert.equal(page.status, 200, `${page.status} ${page.text.slice(0, 500)} ${si.problems.join('; ')}`);
  const status = await send(server, 'GET', `external-auth/status?integration_type=${si.type}&connection_id=${put.body.connection_id}`);
  assert.equal(status.body?.status, 'ACTIVE', status.text);
  if (si.checksGrantedScopes) {
    // The scopes the provider's answer granted, read with its separator.
    const listed = await send(server, 'GET', 'external-auth/list');
    const scopes = listed.body.integrations.find((i) => i.integration_type === si.type)?.scopes;
    assert.deepEqual([...(scopes ?? [])].sort(), [...si.grants.at(-1).scopes].sort(), listed.text);
  }
}

async function read(server, si) {
  const answer = await send(server, 'GET', `external-auth/tokens/${si.type}`);
  assert.equal(answer.status, 200, `${answer.text} ${si.problems.join('; ')}`);
  assert.equal(answer.body.integration_type, si.type);
  for (const [k, v] of Object.entries(si.expectedConfig)) {
    assert.equal(answer.body.connection_config?.[k], v, `connection_config.${k}: ${answer.text}`);
  }
  return answer.body.access_token;
}

/** Moves the clock to just before the provider lets `token` lapse (or a month on, when it never does). */
function ageToken(si, token) {
  const expiresAt = si.expiresAt(token);
  assert.notEqual(expiresAt, undefined, 'the stand-in issued this token');
  advance(expiresAt === null ? 30 * 24 * 3600 * 1000 : expiresAt - Date.now() - 1000);
}

describe('each provider, against its stand-in', { concurrency: 1 }, () => {
  for (const standIn of standIns) {
    for (const type of standIn.types) {
      test(`${type}: connect, read, refresh, read, revoked at the provider, reconnect, disconnect with revocation`, async () => {
        const si = standIn.create(type);
        const server = api.createConnectorsServer({
          appId: APP,
          publicUrl: PUBLIC,
          secret: SECRET,
          fetch: (request) => si.fetch(request),
          connectors: [{ type, scopes: si.scopes }],
          credentials: { [type]: { clientId: si.clientId, clientSecret: si.clientSecret, connectionConfig: si.connectionConfig } },
          serviceTokens: [SERVICE],
        });

        await connect(server, si);
        const first = await read(server, si);
        assert.ok(si.accepts(first), 'the token read hands out the token the provider issued');

        // The token comes due: the read refreshes it (or, for a token that
        // never expires, keeps handing out the same one).
        ageToken(si, first);
        const second = await read(server, si);
        assert.ok(si.accepts(second), 'after the refresh, the provider takes the token handed out');
        const refreshes = si.grants.reduce((n, g) => n + g.refreshes, 0);
        if (si.refresh === 'none') {
          assert.equal(second, first);
          assert.equal(refreshes, 0);
        } else {
          assert.notEqual(second, first, 'a new access token');
          assert.equal(refreshes, 1, 'exactly one refresh');
          assert.equal(await read(server, si), second, 'the next read takes the stored token');
        }

        if (si.refresh !== 'none') {
          // The user removes the app at the provider: the next refresh is
          // refused, the connection is expired, a reconnect restores it.
          si.userRevokes();
          ageToken(si, second);
          const refused = await send(server, 'GET', `external-auth/tokens/${type}`);
          assert.equal(refused.headers.get('x-base44-connector-error') ?? refused.body?.error?.code ?? refused.body?.code, 'NEEDS_RECONNECT', refused.text);
          const listed = await send(server, 'GET', 'external-auth/list');
          assert.equal(listed.body.integrations.find((i) => i.integration_type === type)?.status, 'expired', listed.text);
          await connect(server, si);
          assert.ok(si.accepts(await read(server, si)), 'after the reconnect, the provider takes the token handed out');
        }

        // Disconnect: the server revokes at the provider when it documents how.
        const token = await read(server, si);
        const removed = await send(server, 'DELETE', `external-auth/integrations/${type}/remove`);
        assert.equal(removed.status, 200, removed.text);
        if (si.revokes) {
          assert.ok(si.revocations.length > 0, 'the provider was asked to revoke');
          assert.equal(removed.body?.revocation, 'revoked', removed.text);
          assert.equal(si.accepts(token), false, 'the provider no longer takes the access token');
        } else {
          assert.deepEqual(si.revocations, [], 'no revocation request to a provider without one');
        }
        const gone = await send(server, 'GET', `external-auth/tokens/${type}`);
        assert.equal(gone.status, 404, gone.text);

        assert.deepEqual(si.problems, [], 'requests the provider would have refused');
      });
    }
  }
});
