// Short-lived access tokens over real HTTP, read through @base44/sdk: the
// connectors server (serveNode, on 127.0.0.1) against oidc-provider (on
// 127.0.0.1) issuing a 2-second first token and 120-second refreshed ones
// (providers issue tokens living 5 minutes or less: Keycloak's default is 5
// minutes). Refreshes are counted at the provider. The expired token is
// refreshed once however many readers; a fresh 120-second token is handed out
// as it is; the same with two server instances on one store.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as api from 'oauth-connectors';
import { APP, SERVICE } from './server-checks.mjs';
import { signIn, startLocalProvider } from 'oauth-connectors/dev-provider';
import { openStart } from './consent.mjs';

process.env.NODE_ENV = 'production'; // @base44/sdk logs every error otherwise
const base44 = await import('@base44/sdk');

const FIRST_TTL_S = 2;
const REFRESHED_TTL_S = 120;
const SCOPES = ['openid', 'offline_access', 'email'];
const client = { clientId: 'short-tokens-app', clientSecret: 'short-tokens-app-secret-0123456789abcdef' };
const secret = 'short-tokens-server-secret-0123456789abcdef';
const callbackPath = `/api/apps/${APP}/external-auth/callback/localoidc`;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * `instances` connectors servers on one store, each behind serveNode, with
 * one shared connection to the provider whose first token has expired.
 */
async function expiredConnection(instances) {
  const servers = [];
  const served = [];
  for (let i = 0; i < instances; i++) served.push(await api.serveNode({ fetch: (request) => servers[i].fetch(request) }));
  const publicUrl = served[0].url;
  const op = await startLocalProvider({
    clients: [{ ...client, redirectUris: [publicUrl + callbackPath] }],
    accessTokenTtl: (ctx) => (ctx.oidc.params?.grant_type === 'refresh_token' ? REFRESHED_TTL_S : FIRST_TTL_S),
  });
  const close = async () => {
    for (const s of served) await s.close();
    await op.close();
  };
  try {
    // Refresh requests as they leave the servers; op.grants counts them at the provider.
    let sent = 0;
    const fetch = async (request) => {
      if ((await request.clone().text()).includes('grant_type=refresh_token')) sent += 1;
      return globalThis.fetch(request);
    };
    const store = api.memoryStore();
    for (let i = 0; i < instances; i++) {
      servers.push(api.createConnectorsServer({
        appId: APP,
        publicUrl,
        secret,
        store,
        fetch,
        providers: [op.entry],
        connectors: [{ type: 'localoidc', scopes: SCOPES }],
        credentials: { localoidc: { ...client } },
        serviceTokens: [SERVICE],
      }));
    }
    const put = await globalThis.fetch(`${publicUrl}/api/apps/${APP}/external-auth/integrations/localoidc`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${SERVICE}`, 'content-type': 'application/json' },
      body: JSON.stringify({ scopes: SCOPES }),
    });
    assert.equal(put.status, 200);
    const opened = await openStart((await put.json()).redirect_url);
    const callback = await signIn(opened.url, { login: 'admin', redirectUri: publicUrl + callbackPath });
    const page = await globalThis.fetch(callback.href, { headers: { cookie: opened.cookie } });
    assert.equal(page.status, 200, await page.text());
    // The first token was issued before the callback answered: let it expire.
    await sleep(FIRST_TTL_S * 1000 + 100);
    assert.equal(op.grants.refresh_token, 0);
    const sdk = served.map((s) => base44.createClient({ appId: APP, serverUrl: s.url, serviceToken: SERVICE }).asServiceRole.connectors);
    return { op, sdk, served, refreshes: () => ({ sent, granted: op.grants.refresh_token }), close };
  } catch (error) {
    await close();
    throw error;
  }
}

async function expectWorks(op, token) {
  const me = await globalThis.fetch(op.userinfoUrl, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(me.status, 200, 'the token works at the provider');
  assert.equal((await me.json()).sub, 'admin');
}

/** 30 concurrent reads of the expired token, spread over the instances: one refresh. */
async function thirtyConcurrentReads({ op, sdk, refreshes }) {
  const reads = await Promise.all(Array.from({ length: 30 }, (_, i) => sdk[i % sdk.length].getConnection('localoidc')));
  assert.deepEqual(refreshes(), { sent: 1, granted: 1 }, 'one refresh for 30 concurrent reads');
  const tokens = new Set(reads.map((r) => r.accessToken));
  assert.equal(tokens.size, 1, 'every reader got the refreshed token');
  await expectWorks(op, reads[0].accessToken);
}

/** 3 reads a second apart of the fresh 120-second token: no refresh. */
async function threeReadsASecondApart({ sdk, refreshes }) {
  const before = refreshes();
  const tokens = new Set();
  for (let i = 0; i < 3; i++) {
    await sleep(1000);
    tokens.add((await sdk[i % sdk.length].getConnection('localoidc')).accessToken);
  }
  assert.deepEqual(refreshes(), before, 'a 120-second token is not refreshed in its first minute');
  assert.equal(tokens.size, 1, 'the same token each time');
}

for (const instances of [1, 2]) {
  const label = instances === 1 ? 'one instance' : 'two instances on one store';
  test(`short-lived tokens, ${label}, through @base44/sdk over HTTP`, { timeout: 60_000 }, async (t) => {
    const world = await expiredConnection(instances);
    try {
      await t.test('30 concurrent reads of the expired token make 1 refresh', () => thirtyConcurrentReads(world));
      await t.test('3 reads a second apart of the fresh 120-second token make 0', () => threeReadsASecondApart(world));
      await t.test('x-connectors-token-ttl: handed out as it is for half its lifetime', async () => {
        const read = await globalThis.fetch(`${world.served[0].url}/api/apps/${APP}/external-auth/tokens/localoidc`, { headers: { authorization: `Bearer ${SERVICE}` } });
        assert.equal(read.status, 200);
        const ttl = Number(read.headers.get('x-connectors-token-ttl'));
        assert.ok(ttl > 50_000 && ttl <= REFRESHED_TTL_S * 500, `x-connectors-token-ttl ${ttl}`);
      });
    } finally {
      await world.close();
    }
  });
}
