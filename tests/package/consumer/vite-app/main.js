import * as api from 'oauth-connectors';
import { runChecks } from '../checks.mjs';

window.__results = await runChecks(api);
