// Checked by `deno check` (which knows Deno's own types, unlike tsc here):
// a real Deno.Kv fits denoKvStore's structural parameter type.
import { denoKvStore, type ConnectorsStore } from 'oauth-connectors';

const kv: Deno.Kv = await Deno.openKv(':memory:');
const store: ConnectorsStore = denoKvStore(kv, { prefix: ['app', 1n, true, new Uint8Array([1])] });
// @ts-expect-error: not a Deno.Kv
denoKvStore({ get: () => 1 });
export { store };
