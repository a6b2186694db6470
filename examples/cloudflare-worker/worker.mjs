// The connectors server as a Cloudflare Worker: sealed connections, used
// OAuth states and refresh leases live in one Durable Object per app
// (ConnectorsStoreObject, bound as CONNECTORS_STORE in wrangler.toml), the
// single writer of the store's keys; every isolate of the Worker shares it.
import { createConnectorsServer, durableObjectStore } from 'oauth-connectors';

// The Durable Object class must be exported by the Worker's main module.
export { ConnectorsStoreObject } from 'oauth-connectors';

let server; // one per isolate, made on the first request (env arrives with it)

export default {
  fetch(request, env) {
    server ??= createConnectorsServer({
      appId: env.APP_ID,
      publicUrl: env.PUBLIC_URL,
      secret: env.CONNECTORS_SECRET,
      store: durableObjectStore(env.CONNECTORS_STORE, { name: env.APP_ID }),
      connectors: [{ type: 'slack', scopes: ['chat:write'] }],
      credentials: { slack: { clientId: env.SLACK_CLIENT_ID, clientSecret: env.SLACK_CLIENT_SECRET } },
      serviceTokens: [env.SERVICE_TOKEN],
    });
    return server.fetch(request);
  },
};
