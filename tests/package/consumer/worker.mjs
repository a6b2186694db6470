// A Workers-style module: serves a connectors server under /api/ (as a
// Worker would), and runs the shared checks in workerd on any other path.
import * as api from 'oauth-connectors';
import { runChecks } from './checks.mjs';

const server = api.createConnectorsServer({
  appId: 'worker-app',
  publicUrl: 'https://worker.example',
  secret: 'worker-secret-0123456789abcdef0123456789',
  serviceTokens: ['worker-service-token-0123456789'],
});

export default {
  async fetch(request) {
    if (new URL(request.url).pathname.startsWith('/api/')) return server.fetch(request);
    const results = await runChecks(api);
    return new Response(JSON.stringify(results), { headers: { 'content-type': 'application/json' } });
  },
};
