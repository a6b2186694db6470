// The catalog entry (registerProvider or `provider:`) of the local provider
// at `issuer`. Apart from local-provider.mjs so that a Deno app (www-example)
// can import it without importing oidc-provider.
export function localProviderEntry(issuer) {
  return {
    type: 'localoidc',
    display_name: 'Local OpenID provider',
    description: 'oidc-provider on 127.0.0.1',
    auth_model: 'oauth',
    authorization_url: `${issuer}/auth`,
    token_url: `${issuer}/token`,
    revocation: { url: `${issuer}/token/revocation`, style: 'rfc7009' },
    issuer,
    pkce: 'required',
    // oidc-provider issues a refresh token for offline_access only after consent.
    authorization_params: { prompt: 'consent' },
    client_auth: 'basic',
    refresh_tokens: 'rotated',
    api_base_urls: [issuer],
  };
}
