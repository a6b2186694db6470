// What the bench processes share: one connectors server configuration with
// a stand-in provider (a fetch function: no network), and the token it
// stores. seed.mjs writes the sealed store once; every cold start reads it.
export const APP = 'bench-app';
export const SERVICE = 'bench-service-token-0123456789';
export const SECRET = 'bench-server-secret-0123456789abcdef';
export const TOKEN = 'bench-access-token-0123456789';

export const PROVIDER = {
  type: 'benchprov',
  display_name: 'Bench provider',
  auth_model: 'oauth',
  authorization_url: 'https://provider.bench/authorize',
  token_url: 'https://provider.bench/token',
  api_base_urls: ['https://api.provider.bench'],
};

/** The provider's token endpoint: a day-long token, so no read refreshes. */
export const providerFetch = async () =>
  new Response(JSON.stringify({ access_token: TOKEN, refresh_token: 'bench-refresh', expires_in: 86400, token_type: 'Bearer', scope: 'read' }), {
    headers: { 'content-type': 'application/json' },
  });

export function serverOptions(store) {
  return {
    appId: APP,
    publicUrl: 'http://127.0.0.1:1',
    secret: SECRET,
    store,
    fetch: providerFetch,
    providers: [PROVIDER],
    credentials: { benchprov: { clientId: 'bench', clientSecret: 'bench-secret' } },
    serviceTokens: [SERVICE],
  };
}

/** A memoryStore() holding what seed.mjs wrote. */
export function seededStore(api, entries) {
  const store = api.memoryStore();
  for (const [key, value] of Object.entries(entries)) store.set(key, value);
  return store;
}

/** Operations per second of `op` (awaited one after another) over `seconds`, after a warm-up. */
export async function perSecond(op, seconds = 2) {
  for (let i = 0; i < 200; i++) await op();
  let n = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  while (performance.now() < end) {
    await op();
    n++;
  }
  return n / ((performance.now() - start) / 1000);
}
