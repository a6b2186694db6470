// A backend function for the builder's view: the app-wide (shared)
// connections, through the management list the CLI uses.
export default async function sharedStatus(req: Request, { fetch }: { fetch: typeof globalThis.fetch }): Promise<Response> {
  const api = req.headers.get('Base44-Api-Url');
  const answer = await fetch(new Request(`${api}/api/apps/${req.headers.get('Base44-App-Id')}/external-auth/list`, {
    headers: { authorization: req.headers.get('Base44-Service-Authorization') ?? '' },
  }));
  return Response.json(await answer.json());
}
