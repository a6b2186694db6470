// The installed package in Node (ESM), through its "node" export.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as api from 'oauth-connectors';
import { checks } from './checks.mjs';

for (const [name, fn] of checks) test(name, () => fn(api));

test('index.d.ts declares every error code the wasm can throw', () => {
  const dts = readFileSync(new URL('./node_modules/oauth-connectors/index.d.ts', import.meta.url), 'utf8');
  const missing = api.errorCodes().filter((code) => !dts.includes(`'${code}'`));
  assert.deepEqual(missing, []);
});

test('loadConnectorsDir reads a base44/connectors folder', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'oc-'));
  const folder = join(dir, 'base44', 'connectors');
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, 'slack.jsonc'), '{ "type": "slack", "scopes": ["chat:write",], } // bot\n');
  writeFileSync(join(folder, 'github.json'), '{"type": "github"}');
  writeFileSync(join(folder, 'notes.txt'), 'not a connector');
  const { connectors } = await api.loadConnectorsDir(folder);
  assert.deepEqual(connectors.map((c) => c.type), ['github', 'slack']);
  writeFileSync(join(folder, 'z.jsonc'), '{\n "type": "slack"\n}');
  await assert.rejects(api.loadConnectorsDir(folder), (e) => e.code === 'DUPLICATE_CONNECTOR' && e.path.endsWith('z.jsonc') && e.line === 2);
  const missing = await api.loadConnectorsDir(join(dir, 'nope'));
  assert.deepEqual(missing.connectors, []);
});
