// Without generated types, ConnectorIntegrationType is plain string (as in @base44/sdk).
import type { ConnectorIntegrationType } from 'oauth-connectors';

const anything: ConnectorIntegrationType = 'any-type-at-all';
const asString: string = anything;

export { asString };
