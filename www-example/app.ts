// www-example: the whole product in one Deno process, offline.
// - /api/...        the connectors server (the part Base44 runs), on Deno KV
// - /               the frontend: sign in as a demo user, connect, see your data
// - /functions/...  backend functions, called the way a Base44 host calls them
// - /auth/login     demo sign-in: issues the app's own user tokens (HS256)
// - /builder/...    the builder authorizing the app-wide (shared) connector
// The OAuth provider is the local oidc-provider (PROVIDER_ISSUER), or real
// providers when their client ids are in the environment.
//   deno run --unstable-kv --allow-net=127.0.0.1 --allow-read --allow-write=.data --allow-env app.ts [--memory]
// With CONNECTORS_URL set (`bash scripts/www.sh --serve`), the connectors
// server is not in this process: `oauth-connectors serve` runs it from
// oauth-connectors.json and the environment, and /api/... is forwarded to it.
import { createConnectorsServer, denoKvStore, issueUserToken, loadConnectorsDir, memoryStore, registerProvider } from 'oauth-connectors';
import { localProviderEntry } from 'oauth-connectors/dev-provider';
import myProfile from './functions/myProfile.ts';
import sharedProfile from './functions/sharedProfile.ts';
import sharedStatus from './functions/sharedStatus.ts';

const here = new URL('.', import.meta.url);
const port = Number(Deno.env.get('PORT') ?? 8787);
// Where browsers and providers reach the app (PUBLIC_URL when it sits behind https).
const origin = (Deno.env.get('PUBLIC_URL') ?? `http://127.0.0.1:${port}`).replace(/\/+$/, '');
const appId = 'www-example';
const issuer = Deno.env.get('PROVIDER_ISSUER') ?? 'http://127.0.0.1:8788';
const memory = Deno.args.includes('--memory');

const random = (bytes = 32) => {
  const b = crypto.getRandomValues(new Uint8Array(bytes));
  return btoa(String.fromCharCode(...b)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
};

// The sealing secret must outlive a restart when the store does (Deno KV).
const dataDir = new URL('.data/', here);
await Deno.mkdir(dataDir, { recursive: true });
async function persistentSecret(): Promise<string> {
  const fromEnv = Deno.env.get('CONNECTORS_SECRET');
  if (fromEnv) return fromEnv;
  const file = new URL('secret', dataDir);
  try {
    return (await Deno.readTextFile(file)).trim();
  } catch {
    const secret = random();
    await Deno.writeTextFile(file, secret, { mode: 0o600 });
    return secret;
  }
}

// The local provider, as a custom catalog entry (the connector files name it).
registerProvider(localProviderEntry(issuer));

// base44/connectors/*.jsonc, validated as the Base44 CLI does: a bad file stops the start.
let files;
try {
  files = await loadConnectorsDir(Deno.env.get('CONNECTORS_DIR') ?? new URL('base44/connectors', here).pathname);
} catch (error) {
  console.error(`www-example: ${(error as Error).message}`);
  Deno.exit(1);
}

// Credentials: the local provider's client, and real providers from the environment.
const REAL: Array<{ env: string; type: string; scopes: string[] }> = [
  { env: 'GOOGLE', type: 'googlecalendar', scopes: ['https://www.googleapis.com/auth/calendar.readonly'] },
  { env: 'GITHUB', type: 'github', scopes: ['read:user'] },
  { env: 'SLACK', type: 'slack', scopes: ['users:read'] },
];
const credentials: Record<string, { clientId: string; clientSecret?: string }> = {
  localoidc: {
    clientId: Deno.env.get('LOCAL_CLIENT_ID') ?? 'www-example',
    clientSecret: Deno.env.get('LOCAL_CLIENT_SECRET') ?? 'www-example-secret-0123456789abcdef',
  },
};
for (const { env, type } of REAL) {
  const clientId = Deno.env.get(`${env}_CLIENT_ID`);
  if (clientId) credentials[type] = { clientId, clientSecret: Deno.env.get(`${env}_CLIENT_SECRET`) };
}
// Each connector with credentials is offered to app users too, under its type.
const appUserConnectors: Record<string, { type: string; clientId: string; clientSecret?: string; scopes: string[] }> = {};
for (const c of files.connectors) {
  if (credentials[c.type]) appUserConnectors[c.type] = { type: c.type, ...credentials[c.type], scopes: c.scopes };
}
for (const { type, scopes } of REAL) {
  if (credentials[type]) appUserConnectors[type] = { type, ...credentials[type], scopes };
}

// The host's token for backend functions (shared with `oauth-connectors serve` when it runs the server).
const serviceToken = Deno.env.get('SERVICE_TOKEN') ?? random();
const userSecret = Deno.env.get('USER_TOKEN_SECRET') ?? random();
// The app's own user tokens (HS256): the server verifies what /auth/login issues.
const users = { secret: userSecret, issuer: origin, audience: appId };
const remote = Deno.env.get('CONNECTORS_URL')?.replace(/\/+$/, '');
const kv = memory || remote ? null : await Deno.openKv(Deno.env.get('KV_PATH') ?? new URL('kv.sqlite3', dataDir).pathname);

/** The connectors server in its own process: each request forwarded as it came (cookies, redirects and all). */
const forward = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
  const req = input instanceof Request ? input : new Request(input, init);
  const url = new URL(req.url);
  const body = req.method === 'GET' || req.method === 'HEAD' ? undefined : await req.arrayBuffer();
  return fetch(`${remote}${url.pathname}${url.search}`, { method: req.method, headers: req.headers, body, redirect: 'manual' });
};

const server = remote ? { fetch: forward } : createConnectorsServer({
  appId,
  publicUrl: origin,
  secret: await persistentSecret(),
  store: kv ? denoKvStore(kv, { prefix: [appId] }) : memoryStore(),
  connectors: files.connectors,
  credentials,
  appUserConnectors,
  serviceTokens: [serviceToken],
  users,
  allowedReturnUrls: [origin],
  // Consents are bound to the browser that opens them (the default).
});

/** An HS256 user token: what the app's own sign-in issues (an hour). */
const userToken = (user: string): string => issueUserToken({ ...users, userId: user, email: `${user}@example.test` });

const FUNCTIONS: Record<string, (req: Request, ctx: { fetch: typeof fetch }) => Promise<Response>> = { myProfile, sharedProfile, sharedStatus };

/** Calls a backend function as a Base44 host does: the app id, the service token and the API URL are added. */
async function callFunction(name: string, req: Request): Promise<Response> {
  const fn = FUNCTIONS[name];
  if (!fn) return Response.json({ error: { code: 'NOT_FOUND', message: `No function ${name}` } }, { status: 404 });
  const headers = new Headers({ 'Base44-App-Id': appId, 'Base44-Api-Url': origin, 'Base44-Service-Authorization': `Bearer ${serviceToken}` });
  const auth = req.headers.get('authorization');
  if (auth) headers.set('Authorization', auth);
  try {
    return await fn(new Request(req.url, { method: req.method, headers }), { fetch: server.fetch });
  } catch (error) {
    const e = error as { status?: number; code?: string; message?: string };
    return Response.json({ error: { code: e.code ?? 'FUNCTION_FAILED', message: e.message ?? 'failed' } }, { status: e.status ?? 500 });
  }
}

const page = await Deno.readTextFile(new URL('public/index.html', here));
const clientJs = await Deno.readTextFile(new URL(import.meta.resolve('oauth-connectors/client')));

async function handle(req: Request): Promise<Response> {
  const url = new URL(req.url);
  const path = url.pathname;
  if (path.startsWith('/api/')) return server.fetch(req);
  if (path === '/' && req.method === 'GET') return new Response(page, { headers: { 'content-type': 'text/html; charset=utf-8' } });
  if (path === '/vendor/oauth-connectors-client.js') return new Response(clientJs, { headers: { 'content-type': 'text/javascript' } });
  if (path === '/auth/config') {
    return Response.json({ appId, connectors: Object.keys(appUserConnectors), shared: Object.keys(credentials) });
  }
  if (path === '/auth/login' && req.method === 'POST') {
    const { user } = await req.json().catch(() => ({}));
    if (typeof user !== 'string' || !/^[a-z]{1,20}$/.test(user)) {
      return Response.json({ error: { code: 'INVALID_INPUT', message: 'user: 1 to 20 letters a-z' } }, { status: 400 });
    }
    return Response.json({ user, token: userToken(user) });
  }
  const fn = path.match(/^\/functions\/([A-Za-z]+)$/);
  if (fn) return callFunction(fn[1], req);
  if (path === '/builder/authorize') {
    // The builder's "connect the app's account" (what `base44 connectors push` does).
    const type = url.searchParams.get('type') ?? 'localoidc';
    const put = await server.fetch(new Request(`${origin}/api/apps/${appId}/external-auth/integrations/${encodeURIComponent(type)}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${serviceToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ return_url: `${origin}/` }), // back to this page afterwards
    }));
    const body = await put.json();
    if (!put.ok) return Response.json(body, { status: put.status });
    return Response.redirect(body.redirect_url ?? `${origin}/?shared=already_authorized`, 303);
  }
  return new Response('Not found', { status: 404 });
}

const http = Deno.serve({
  port,
  hostname: '127.0.0.1',
  onListen: () => console.log(`www-example: ${origin} (${remote ? `connectors server: oauth-connectors serve at ${remote}` : `store: ${kv ? 'Deno KV' : 'memory'}`}; provider: ${issuer})`),
}, handle);

const stop = async () => {
  await http.shutdown();
  kv?.close();
  Deno.exit(0);
};
Deno.addSignalListener('SIGINT', stop);
Deno.addSignalListener('SIGTERM', stop);
