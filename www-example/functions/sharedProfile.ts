// A backend function on the app's shared connection: one account for every
// user, read with getConnection(type), then a plain fetch to the provider's API.
import { createClientFromRequest } from 'oauth-connectors';

export default async function sharedProfile(req: Request, { fetch }: { fetch: typeof globalThis.fetch }): Promise<Response> {
  const base44 = createClientFromRequest(req, { fetch });
  try {
    const { accessToken } = await base44.asServiceRole.connectors.getConnection('localoidc');
    const me = await globalThis.fetch(`${Deno.env.get('PROVIDER_ISSUER')}/me`, { headers: { authorization: `Bearer ${accessToken}` } });
    return Response.json({ connected: true, data: await me.json() });
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'NOT_CONNECTED' || code === 'NEEDS_RECONNECT') return Response.json({ connected: false, reason: code });
    throw error;
  }
}
