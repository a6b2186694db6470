// Types of what setup.test.mjs checks at run time: server.redirectUris()
// and the list of errors a ConnectorsError can carry.
import {
  createConnectorsServer,
  serveNode,
  validateConnectors,
  ConnectorsError,
  type ConfiguredConnectorsServer,
  type ConnectorRedirectUri,
  type ConnectorsErrorDetail,
  type ConnectorsServer,
} from 'oauth-connectors';

const server: ConfiguredConnectorsServer = createConnectorsServer({ appId: 'app1', publicUrl: 'https://connect.example', secret: 'x'.repeat(32) });
const uris: ConnectorRedirectUri[] = server.redirectUris();
for (const u of uris) {
  const kind: 'shared' | 'workspace' | 'app_user' = u.kind;
  const id: string | undefined = u.connectorId;
  void [kind, id, u.integrationType.length, u.redirectUri.length];
}
// Any { fetch } is still a server for serveNode.
const plain: ConnectorsServer = { fetch: async () => null };
void serveNode(plain);
// @ts-expect-error: a plain fetch handler has no redirectUris
const notConfigured: ConfiguredConnectorsServer = plain;
void notConfigured;

try {
  validateConnectors([{ path: 'a.jsonc', text: '{}' }]);
} catch (e) {
  if (e instanceof ConnectorsError) {
    const all: ConnectorsErrorDetail[] = e.errors ?? [];
    for (const one of all) void [one.code, one.message, one.path, one.line, one.column, one.suggestion];
  }
}
