// A Workers-style module: runs the shared checks in workerd and answers JSON.
import * as api from 'oauth-connectors';
import { runChecks } from './checks.mjs';

export default {
  async fetch() {
    const results = await runChecks(api);
    return new Response(JSON.stringify(results), { headers: { 'content-type': 'application/json' } });
  },
};
