// Checks of the installed package, shared by the Node, Deno and workerd runs.
// Each is [name, async fn(api)]; they throw on failure. No runtime-specific APIs.
const ok = (cond, message) => {
  if (!cond) throw new Error(`check failed: ${message}`);
};
const throwsCode = (fn, code) => {
  try {
    fn();
  } catch (error) {
    ok(error instanceof Error, `threw a non-Error: ${error}`);
    ok(error.code === code, `expected ${code}, got ${error.code}: ${error.message}`);
    return error;
  }
  throw new Error(`check failed: expected a ${code} error, nothing was thrown`);
};

export const checks = [
  ['listAvailable works with no init step and lists every type', (api) => {
    const list = api.listAvailable();
    ok(Array.isArray(list) && list.length === 47, `47 types, got ${list.length}`);
    const types = list.map((i) => i.integrationType);
    for (const t of ['googlecalendar', 'slack', 'slackbot', 'github', 'notion', 'salesforce', 'hubspot', 'stripe']) {
      ok(types.includes(t), `${t} listed`);
    }
    const first = list[0];
    ok(typeof first.displayName === 'string' && Array.isArray(first.connectionConfigFields), 'camelCase shape');
  }],
  ['getProvider returns the entry, and a coded error with a suggestion', (api) => {
    ok(api.getProvider('tiktok').authorization_param_names.client_id === 'client_key', 'tiktok client_key');
    const error = throwsCode(() => api.getProvider('githb'), 'UNKNOWN_PROVIDER');
    ok(error.suggestion === 'github', 'did-you-mean');
    ok(error instanceof api.ConnectorsError, 'instanceof ConnectorsError');
    ok(error.name === 'ConnectorsError', 'name');
  }],
  ['parseConnectorFile takes the developer-docs example', (api) => {
    const text = `{
  "type": "googlecalendar",
  // read and write events
  "scopes": [
    "https://www.googleapis.com/auth/calendar.readonly",
    "https://www.googleapis.com/auth/calendar.events",
  ],
}`;
    const config = api.parseConnectorFile(text, 'googlecalendar.jsonc');
    ok(config.type === 'googlecalendar' && config.scopes.length === 2, JSON.stringify(config));
  }],
  ['bad connector files give a coded error with line and column', (api) => {
    const error = throwsCode(() => api.parseConnectorFile('{\n  "type": "github",\n  "scope": []\n}', 'gh.jsonc'), 'UNKNOWN_FIELD');
    ok(error.path === 'gh.jsonc' && error.line === 3 && error.column === 3, `at ${error.path}:${error.line}:${error.column}`);
    throwsCode(() => api.parseConnectorFile('{"type": "github",,}'), 'CONFIG_SYNTAX');
    throwsCode(() => api.parseConnectorFile('{"type": "a", "type": "b"}'), 'DUPLICATE_KEY');
    throwsCode(() => api.parseConnectorFile('{"type": "github", "scopes": ["a b"]}'), 'INVALID_SCOPE');
    throwsCode(() => api.parseConnectorFile(`{"type": "x", "d": ${'['.repeat(40)}${']'.repeat(40)}}`), 'CONFIG_TOO_DEEP');
    throwsCode(() => api.parseConnectorFile(' '.repeat(256 * 1024 + 1)), 'CONFIG_TOO_LARGE');
    throwsCode(() => api.parseConnectorFile(42), 'INVALID_INPUT');
  }],
  ['validateConnectors finds duplicates and typos', (api) => {
    const dup = throwsCode(() => api.validateConnectors([
      { path: 'c/a.jsonc', text: '{"type": "slack"}' },
      { path: 'c/b.jsonc', text: '{"type": "slack"}' },
    ]), 'DUPLICATE_CONNECTOR');
    ok(dup.message.includes('Duplicate connector type "slack"') && dup.message.includes('c/a.jsonc'), dup.message);
    const typo = throwsCode(() => api.validateConnectors([{ path: 'c/g.jsonc', text: '{"type": "githb"}' }]), 'UNKNOWN_PROVIDER');
    ok(typo.suggestion === 'github' && typo.line === 1, `${typo.suggestion} ${typo.line}`);
    const result = api.validateConnectors([{ type: 'stripe', scopes: ['x'] }]);
    ok(result.warnings[0].code === 'SCOPES_IGNORED', 'stripe warning');
  }],
  ['registerProvider validates custom entries', (api) => {
    api.registerProvider({
      type: 'acme', display_name: 'Acme', auth_model: 'oauth',
      authorization_url: 'https://acme.example/authorize', token_url: 'https://acme.example/token',
    });
    ok(api.listAvailable().some((i) => i.integrationType === 'acme'), 'acme listed');
    throwsCode(() => api.registerProvider({ type: 'x', display_name: 'X', auth_model: 'oauth', authorization_url: 'http://evil.example/a', token_url: 'https://x.example/t' }), 'PROVIDER_INVALID');
  }],
  ['generateTypes returns d.ts text', (api) => {
    const text = api.generateTypes([{ type: 'slack' }, { type: 'github' }]);
    ok(text.includes('declare module "oauth-connectors"') && text.includes('"slack": true;'), text);
  }],
];

/** Runs every check; returns [{ name, ok, error? }]. */
export async function runChecks(api, list = checks) {
  const results = [];
  for (const [name, fn] of list) {
    try {
      await fn(api);
      results.push({ name, ok: true });
    } catch (error) {
      results.push({ name, ok: false, error: String(error && error.stack || error) });
    }
  }
  return results;
}
