// What an app needs beside the server, from the installed package:
// issueUserToken (the app's own HS256 user tokens, accepted by the server's
// `users` check), oauth-connectors/dev-provider (a local OAuth provider for
// development, with oidc-provider installed by the app), and a package that
// holds every file its package.json lists.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as api from 'oauth-connectors';
import { localProviderEntry, signIn, startLocalProvider } from 'oauth-connectors/dev-provider';
import { APP, ISS, SERVICE, USER_SECRET, setup } from './server-checks.mjs';

const users = { secret: USER_SECRET, issuer: ISS, audience: APP };
const claimsOf = (jwt) => JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8'));
const headerOf = (jwt) => JSON.parse(Buffer.from(jwt.split('.')[0], 'base64url').toString('utf8'));

test('issueUserToken: a token it issues is accepted by the server, for ids with _ - . and non-ASCII, in-process and over HTTP', async () => {
  const ctx = setup(api);
  const served = await api.serveNode(ctx.server);
  try {
    for (const [userId, email] of [['user_a-b.c', 'ada@example.test'], ['zoë-Ünïcode_1', undefined]]) {
      const before = Math.floor(Date.now() / 1000);
      const jwt = api.issueUserToken({ ...users, userId, ...(email ? { email } : {}) });
      assert.deepEqual(headerOf(jwt), { alg: 'HS256', typ: 'JWT' });
      const claims = claimsOf(jwt);
      assert.deepEqual(Object.keys(claims).sort(), ['aud', 'exp', 'iat', 'iss', 'sub', ...(email ? ['email'] : [])].sort());
      assert.equal(claims.sub, userId);
      assert.equal(claims.iss, ISS);
      assert.equal(claims.aud, APP);
      assert.ok(claims.iat >= before && claims.iat <= before + 2, `iat ${claims.iat}`);
      assert.equal(claims.exp, claims.iat + 3600);
      if (email) assert.equal(claims.email, email);

      // The user connects with it (initiate, consent, callback), over HTTP.
      const init = await fetch(`${served.url}/api/apps/${APP}/app-user-auth/connectors/mine/initiate`, {
        method: 'POST', headers: { authorization: `Bearer ${jwt}` },
      });
      assert.equal(init.status, 200, await init.clone().text());
      const { answer } = await ctx.callback((await init.json()).redirect_url);
      assert.equal(answer.status, 200, answer.text);
      // The connection is that user's: the token's sub is the id.
      const read = await ctx.service('GET', `app-user-auth/connectors/mine/users/${encodeURIComponent(userId)}/token`);
      assert.equal(read.status, 200, read.text);
      // And the SDK client on behalf of the user reads it too.
      const client = api.createClient({ appId: APP, serverUrl: served.url, token: jwt, serviceToken: SERVICE });
      assert.equal((await client.asServiceRole.connectors.getCurrentAppUserConnection('mine')).accessToken, read.body.access_token);
    }
    // A lifetime of its own.
    const short = claimsOf(api.issueUserToken({ ...users, userId: 'alice', expiresInSeconds: 300 }));
    assert.equal(short.exp - short.iat, 300);
    // Another secret, issuer or audience: the server refuses it.
    for (const other of [
      { ...users, secret: 'another-secret-0123456789abcdef0123456789' },
      { ...users, issuer: `${ISS}/` },
      { ...users, audience: 'other-app' },
    ]) {
      const jwt = api.issueUserToken({ ...other, userId: 'alice' });
      const answer = await ctx.send('POST', 'app-user-auth/connectors/mine/initiate', { auth: jwt });
      assert.equal(answer.status, 401, answer.text);
      assert.equal(answer.body.error.code, 'JWT_INVALID');
    }
  } finally {
    await served.close();
  }
});

test('issueUserToken: bad arguments are INVALID_INPUT, and no message holds the secret', () => {
  const refused = (options, pattern) => {
    assert.throws(() => api.issueUserToken(options), (e) => {
      assert.ok(e instanceof api.ConnectorsError, `${e}`);
      assert.equal(e.code, 'INVALID_INPUT', e.message);
      assert.match(e.message, pattern);
      assert.ok(!e.message.includes('SENTINEL_JWTKEY'), e.message);
      return true;
    }, JSON.stringify(options));
  };
  refused(undefined, /issueUserToken\(\) takes \{ secret, issuer, audience, userId/);
  refused('alice', /issueUserToken\(\) takes/);
  refused({ ...users, userid: 'alice' }, /Unknown issueUserToken option "userid"\. Did you mean "userId"\?/);
  refused({ ...users, userId: 'alice', expiresIn: 60 }, /Unknown issueUserToken option "expiresIn"/);
  refused({ ...users }, /userId is required and must be a string/);
  refused({ ...users, userId: '' }, /non-empty/);
  refused({ ...users, userId: 42 }, /userId/);
  refused({ issuer: ISS, audience: APP, userId: 'alice' }, /secret is required/);
  refused({ ...users, secret: 'short-SENTINEL_JWTKEY', userId: 'alice' }, /at least 32 bytes/);
  refused({ ...users, issuer: '', userId: 'alice' }, /issuer must not be empty/);
  refused({ ...users, audience: '', userId: 'alice' }, /audience must not be empty/);
  refused({ ...users, userId: 'alice', email: 5 }, /email must be a string/);
  for (const expiresInSeconds of [0, -1, 1.5, 2_592_001, '60', Infinity]) {
    refused({ ...users, userId: 'alice', expiresInSeconds }, /expiresInSeconds must be a whole number from 1 to 2592000/);
  }
  refused({ ...users, userId: 'x'.repeat(9_000) }, /larger than 8 KiB/);
});

test('oauth-connectors/dev-provider: a local OAuth provider on 127.0.0.1 that the connectors server connects to', { timeout: 30_000 }, async () => {
  const publicUrl = 'http://127.0.0.1:8787';
  const redirectUri = `${publicUrl}/api/apps/${APP}/external-auth/callback/localoidc`;
  const app = { clientId: 'dev-app', clientSecret: 'dev-app-secret-0123456789abcdef' };
  const op = await startLocalProvider({ clients: [{ ...app, redirectUris: [redirectUri] }], accessTokenTtl: 120 });
  try {
    assert.match(op.issuer, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.deepEqual(op.entry, localProviderEntry(op.issuer));
    const discovery = await (await fetch(`${op.issuer}/.well-known/openid-configuration`)).json();
    assert.equal(discovery.issuer, op.issuer);
    // The entry is a valid custom provider, and the server connects through it.
    const server = api.createConnectorsServer({
      appId: APP, publicUrl, secret: 'dev-server-secret-0123456789abcdef0123', providers: [op.entry],
      connectors: [{ type: 'localoidc', scopes: ['openid', 'offline_access'] }], credentials: { localoidc: app }, serviceTokens: [SERVICE],
      allowedReturnUrls: ['http://127.0.0.1:5173'],
    });
    const call = (method, path, body) => server.fetch(new Request(`${publicUrl}/api/apps/${APP}/${path}`, {
      method, headers: { authorization: `Bearer ${SERVICE}`, 'content-type': 'application/json' }, body: body && JSON.stringify(body),
    }));
    const put = await (await call('PUT', 'external-auth/integrations/localoidc', { scopes: ['openid', 'offline_access'] })).json();
    // The browser opens the server's start route from the app's page, keeps its cookie, and goes on to the provider.
    const started = await server.fetch(new Request(put.redirect_url, { headers: { referer: 'http://127.0.0.1:5173/settings' } }));
    assert.equal(started.status, 303);
    const cookie = started.headers.get('set-cookie').split(';')[0];
    const back = await signIn(started.headers.get('location'), { login: 'builder', redirectUri });
    assert.equal((await server.fetch(new Request(back, { headers: { cookie } }))).status, 200);
    const { access_token: token } = await (await call('GET', 'external-auth/tokens/localoidc')).json();
    const me = await (await fetch(op.userinfoUrl, { headers: { authorization: `Bearer ${token}` } })).json();
    assert.equal(me.sub, 'builder');
    assert.equal(op.grants.authorization_code, 1);
  } finally {
    await op.close();
  }
  await assert.rejects(startLocalProvider({ clients: [], port: 0 }), /clients must be a non-empty array/);
  await assert.rejects(startLocalProvider({ clients: [{ ...app, redirectUris: [redirectUri] }], hostname: '0.0.0.0' }), /Unknown startLocalProvider option "hostname"/);
  assert.throws(() => localProviderEntry('https://evil.example'), /http:\/\/127\.0\.0\.1:<port>/);
});

test('oauth-connectors/dev-provider without oidc-provider installed: a clear error naming the install command', { timeout: 20_000 }, async () => {
  // The package's dev entry alone, in a folder whose node_modules has no oidc-provider.
  const installed = dirname(fileURLToPath(import.meta.resolve('oauth-connectors/dev-provider')));
  const app = mkdtempSync(join(tmpdir(), 'no-oidc-'));
  try {
    const pkg = join(app, 'node_modules', 'oauth-connectors');
    mkdirSync(pkg, { recursive: true });
    for (const file of ['package.json', 'dev-provider.js']) copyFileSync(join(installed, file), join(pkg, file));
    writeFileSync(join(app, 'package.json'), '{ "type": "module" }');
    writeFileSync(join(app, 'main.mjs'), `
      import { startLocalProvider, localProviderEntry } from 'oauth-connectors/dev-provider';
      localProviderEntry('http://127.0.0.1:1'); // needs nothing
      try {
        await startLocalProvider({ clients: [{ clientId: 'a', clientSecret: 'b', redirectUris: ['http://127.0.0.1:1/cb'] }] });
        console.log('started');
      } catch (e) {
        console.log(JSON.stringify({ message: e.message, code: e.code }));
      }
    `);
    const out = await new Promise((resolve, reject) => execFile(process.execPath, ['main.mjs'], { cwd: app }, (e, stdout, stderr) => (e ? reject(new Error(stderr)) : resolve(stdout))));
    const { message, code } = JSON.parse(out);
    assert.equal(code, 'ERR_MODULE_NOT_FOUND');
    assert.match(message, /oauth-connectors\/dev-provider needs the oidc-provider package.*npm install --save-dev oidc-provider/);
  } finally {
    rmSync(app, { recursive: true, force: true });
  }
});

test('the package holds every file its package.json lists, README.md included', () => {
  const root = dirname(fileURLToPath(import.meta.resolve('oauth-connectors/package.json')));
  const { files, exports } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  for (const file of files) assert.ok(existsSync(join(root, file)), `${file} is listed in files but not in the package`);
  assert.match(readFileSync(join(root, 'README.md'), 'utf8'), /^# oauth-connectors/);
  assert.deepEqual(exports['./dev-provider'], { types: './dev-provider.d.ts', default: './dev-provider.js' });
});
