// A backend function, written the way a Base44 user writes one: the client
// comes from the request (the host adds the app id and the service token);
// the user's own connection gives a token; a plain fetch calls the provider's
// API with it. Nothing here sees a refresh token, and the token never goes
// back to the browser: only the data does.
import { createClientFromRequest } from 'oauth-connectors';

export default async function myProfile(req: Request, { fetch }: { fetch: typeof globalThis.fetch }): Promise<Response> {
  const connectorId = new URL(req.url).searchParams.get('connector') ?? 'localoidc';
  const base44 = createClientFromRequest(req, { fetch }); // fetch: the connectors server, in-process
  let connection;
  try {
    connection = await base44.asServiceRole.connectors.getCurrentAppUserConnection(connectorId);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'NOT_CONNECTED' || code === 'NEEDS_RECONNECT' || code === 'SCOPES_MISSING') {
      return Response.json({ connected: false, reason: code });
    }
    throw error;
  }
  const api = connectorApi(connectorId);
  const answer = await globalThis.fetch(api.url, { headers: { authorization: `Bearer ${connection.accessToken}`, ...api.headers } });
  return Response.json({ connected: true, status: answer.status, data: await answer.json() });
}

/** Where each connector's "who am I" lives. */
function connectorApi(connectorId: string): { url: string; headers?: Record<string, string> } {
  switch (connectorId) {
    case 'github': return { url: 'https://api.github.com/user', headers: { accept: 'application/vnd.github+json' } };
    case 'googlecalendar': return { url: 'https://www.googleapis.com/calendar/v3/users/me/calendarList?maxResults=5' };
    case 'slack': return { url: 'https://slack.com/api/auth.test' };
    default: return { url: `${Deno.env.get('PROVIDER_ISSUER')}/me` };
  }
}
