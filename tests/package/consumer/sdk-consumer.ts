// Backend and frontend code written against @base44/sdk's connector types.
// run.sh type-checks it as it is, then with only the import changed to
// 'oauth-connectors': both must compile.
import {
  Base44Error,
  createClient,
  createClientFromRequest,
  type AppUserConnectorConnectionResponse,
  type Base44ErrorJSON,
  type ConnectorApiRequest,
  type ConnectorApiResponse,
  type ConnectorApiResponsePhase,
  type ConnectorConnectionResponse,
  type ConnectorIntegrationType,
  type ConnectorsModule,
  type CreateClientConfig,
  type UserConnectorsModule,
} from '@base44/sdk';

const config: CreateClientConfig = {
  appId: 'my-app',
  serverUrl: 'https://connect.example',
  token: 'user-token',
  serviceToken: 'service-token',
  headers: { 'X-Trace': '1' },
  options: { onError: (error: Error) => void error.message },
};

export async function backendFunction(req: Request): Promise<Response> {
  const base44 = createClientFromRequest(req);
  const connectors: ConnectorsModule = base44.asServiceRole.connectors;
  const type: ConnectorIntegrationType = 'googlecalendar';
  const calendar: ConnectorConnectionResponse = await connectors.getConnection(type);
  const team: ConnectorConnectionResponse = await connectors.getWorkspaceConnection('team');
  const mine: AppUserConnectorConnectionResponse = await connectors.getCurrentAppUserConnection('calendar');
  const legacy: string = await connectors.getAccessToken('slack');
  const legacyMine: string = await connectors.getCurrentAppUserAccessToken('calendar');
  const request: ConnectorApiRequest = { method: 'GET', path: '/calendars', query: { maxResults: 10, expand: ['a', 1] }, headers: { Accept: 'application/json' } };
  const answer: ConnectorApiResponse<{ items: string[] }> = await connectors.callApi<{ items: string[] }>('googlecalendar', request);
  const phase: ConnectorApiResponsePhase = answer.phase;
  const items: string[] = answer.data?.items ?? [];
  const config: Record<string, string> | null = calendar.connectionConfig;
  return new Response(JSON.stringify({ items, phase, config, team: team.accessToken, mine: mine.accessToken, legacy, legacyMine, status: answer.status }));
}

export async function frontend(): Promise<void> {
  const base44 = createClient(config);
  const user: UserConnectorsModule = base44.connectors;
  try {
    const url: string = await user.connectAppUser('calendar');
    await user.disconnectAppUser('calendar');
    void url;
  } catch (error) {
    if (error instanceof Base44Error) {
      const json: Base44ErrorJSON = error.toJSON();
      const status: number | undefined = error.status;
      void [json, status, error.code, error.data];
    }
  }
  base44.setToken('next-token');
}
