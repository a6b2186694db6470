// The installed package in Deno 2, through its "deno" export.
import * as api from 'oauth-connectors';
import { checks } from './checks.mjs';

for (const [name, fn] of checks) Deno.test(name, () => fn(api));

Deno.test('loadConnectorsDir reads a folder', async () => {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(`${dir}/notion.jsonc`, '{"type": "notion"}');
  const { connectors } = await api.loadConnectorsDir(dir);
  if (connectors.length !== 1 || connectors[0].type !== 'notion') throw new Error(JSON.stringify(connectors));
});

Deno.test('the wasm was loaded by the deno entry', async () => {
  const resolved = import.meta.resolve('oauth-connectors');
  if (!resolved.endsWith('/entry/deno.js')) throw new Error(`resolved to ${resolved}`);
});
