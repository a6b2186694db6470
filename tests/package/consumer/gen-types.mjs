// Writes generated/connectors.d.ts the way a user would: from connector files.
import { mkdirSync, writeFileSync } from 'node:fs';
import { generateTypes, validateConnectors } from 'oauth-connectors';

const result = validateConnectors([
  { path: 'googlecalendar.jsonc', text: '{"type": "googlecalendar"}' },
  { path: 'slack.jsonc', text: '{"type": "slack", "scopes": ["chat:write"]}' },
]);
mkdirSync('generated', { recursive: true });
writeFileSync('generated/connectors.d.ts', generateTypes(result));
