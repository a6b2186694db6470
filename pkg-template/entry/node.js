// Node 18+: compile the wasm synchronously from the file beside this package.
import { readFileSync } from 'node:fs';
import { initSync } from '../oauth_connectors.js';

initSync({ module: readFileSync(new URL('../oauth_connectors_bg.wasm', import.meta.url)) });

export * from '../api.js';
export { loadConnectorsDir } from '../fs.js';
export { serveNode, toNodeHandler } from '../node-server.js';
