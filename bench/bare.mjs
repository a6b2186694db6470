// The machine's limit for a token read over HTTP: a bare server that checks
// the same bearer token and answers the same JSON as ours, with nothing
// else (no store, no sealing). Runs under Node (node:http) and Deno
// (Deno.serve); prints its URL, runs until killed.
import { APP, SERVICE, TOKEN } from './common.mjs';

const path = `/api/apps/${APP}/external-auth/tokens/benchprov`;
const bearer = `Bearer ${SERVICE}`;
const answer = JSON.stringify({ access_token: TOKEN, connection_config: null, integration_type: 'benchprov' });
const refused = JSON.stringify({ error: { code: 'UNAUTHENTICATED', message: 'Missing or invalid token' } });
const json = { 'content-type': 'application/json', 'cache-control': 'no-store' };

if (globalThis.Deno) {
  Deno.serve({ hostname: '127.0.0.1', port: 0, onListen: ({ port }) => console.log(`http://127.0.0.1:${port}`) }, (req) => {
    const ok = new URL(req.url).pathname === path && req.headers.get('authorization') === bearer;
    return new Response(ok ? answer : refused, { status: ok ? 200 : 401, headers: json });
  });
} else {
  const { createServer } = await import('node:http');
  const server = createServer((req, res) => {
    const ok = req.url === path && req.headers.authorization === bearer;
    const body = ok ? answer : refused;
    res.writeHead(ok ? 200 : 401, { ...json, 'content-length': Buffer.byteLength(body) }).end(body);
  });
  server.listen(0, '127.0.0.1', () => console.log(`http://127.0.0.1:${server.address().port}`));
}
