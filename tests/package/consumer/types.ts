// A consumer written against the package's declarations: must type-check.
import {
  ConnectorsError,
  generateTypes,
  getProvider,
  listAvailable,
  loadConnectorsDir,
  parseConnectorFile,
  registerProvider,
  validateConnectors,
  OAuthClient,
  generateCodeVerifier,
  generateState,
  type OAuthTokens,
  type AvailableIntegration,
  type ConnectorConfig,
  type ConnectorsErrorCode,
  type ProviderEntry,
  type ValidatedConnectors,
} from 'oauth-connectors';

const list: AvailableIntegration[] = listAvailable();
const names: string[] = list.map((i) => i.displayName);
const required: boolean[] = list.flatMap((i) => i.connectionConfigFields.map((f) => f.required));
const entry: ProviderEntry = getProvider('github');
const scopeParam: string | null | undefined = entry.scope?.param;
const config: ConnectorConfig = parseConnectorFile('{"type": "github"}', 'github.jsonc');
const checked: ValidatedConnectors = validateConnectors([{ path: 'a.jsonc', text: new Uint8Array() }, { type: 'slack' }]);
const custom: ProviderEntry = registerProvider({ type: 'acme', display_name: 'Acme', auth_model: 'managed' });
const dts: string = generateTypes(checked, { moduleName: '@base44/sdk' });

async function load(): Promise<number> {
  const { connectors, warnings } = await loadConnectorsDir();
  return connectors.length + warnings.length;
}

try {
  parseConnectorFile('{');
} catch (error) {
  if (error instanceof ConnectorsError) {
    const code: ConnectorsErrorCode = error.code;
    const where: string = `${error.path ?? ''}:${error.line ?? 0}:${error.column ?? 0}`;
    const suggestion: string | undefined = error.suggestion;
    void [code, where, suggestion];
  }
}

// @ts-expect-error: auth_model is 'oauth' | 'managed'
registerProvider({ type: 'x', display_name: 'X', auth_model: 'saml' });

export { names, required, scopeParam, config, custom, dts, load };

declare function hostFetch(request: unknown): Promise<unknown>;

async function oauth(callbackQuery: string): Promise<string | null> {
  const client = new OAuthClient({
    provider: 'github',
    clientId: 'id',
    clientSecret: 'secret',
    redirectUri: 'https://app.example/cb',
    fetch: hostFetch,
    timeoutMs: 10_000,
  });
  const state = generateState();
  const codeVerifier = generateCodeVerifier();
  const url: string = client.createAuthorizationURL({ state, codeVerifier, scopes: ['repo'] });
  const params = new Map([['code', 'c'], ['iss', 'https://github.com']]);
  const tokens: OAuthTokens = await client.validateAuthorizationCode(params.get('code') ?? '', codeVerifier, params);
  await client.validateAuthorizationCode('c', null, callbackQuery, { scopes: ['repo'] });
  const expires: Date | null = tokens.expiresAt;
  const again: OAuthTokens = await client.refreshAccessToken(tokens.refreshToken ?? '');
  const revoked: boolean = await client.revokeToken(again.accessToken, 'access_token');
  // @ts-expect-error: tokens are read-only
  tokens.accessToken = 'x';
  void [url, expires, revoked];
  return tokens.refreshToken;
}
void oauth;
