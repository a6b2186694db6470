// With generated Dynamic Types (generated/connectors.d.ts), only configured
// type names are ConnectorIntegrationType.
import type { ConnectorIntegrationType, ConnectorConfig } from 'oauth-connectors';

const calendar: ConnectorIntegrationType = 'googlecalendar';
const slack: ConnectorIntegrationType = 'slack';
// @ts-expect-error: not a configured connector type (a typo)
const typo: ConnectorIntegrationType = 'googlecalendr';
const fromFile: ConnectorConfig['type'] = 'slack';

export { calendar, slack, typo, fromFile };
