// The example: list the provider catalog, validate this folder's connector
// files, show a bad file's error, and write Dynamic Types.
//   node examples/catalog/main.mjs   (after scripts/build.sh; scripts/demo.sh does both)
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateTypes, listAvailable, loadConnectorsDir, parseConnectorFile, ConnectorsError } from 'oauth-connectors';

const here = dirname(fileURLToPath(import.meta.url));

const catalog = listAvailable();
console.log(`The catalog has ${catalog.length} connector types:\n`);
for (const item of catalog) {
  const fields = item.connectionConfigFields.map((f) => `${f.name}${f.required ? '' : '?'}`).join(', ');
  console.log(`  ${item.integrationType.padEnd(22)} ${item.displayName.padEnd(24)} ${fields ? `config: ${fields}` : ''}`);
}

const { connectors, warnings } = await loadConnectorsDir(join(here, 'base44/connectors'));
console.log(`\nbase44/connectors holds ${connectors.length} valid connectors:`);
for (const c of connectors) console.log(`  ${c.type}: ${c.scopes.length ? c.scopes.join(' ') : '(no scopes)'}`);
for (const w of warnings) console.log(`  warning ${w.code}: ${w.message}`);

console.log('\nA file with a typo is rejected with its position:');
try {
  parseConnectorFile('{\n  "type": "github",\n  "scope": ["repo"]\n}', 'base44/connectors/github.jsonc');
} catch (error) {
  if (!(error instanceof ConnectorsError)) throw error;
  console.log(`  ${error.code}: ${error.message}`);
}

const types = join(here, 'connectors.d.ts');
writeFileSync(types, generateTypes(connectors));
console.log(`\nWrote Dynamic Types for ${connectors.length} connectors to ${types}`);
