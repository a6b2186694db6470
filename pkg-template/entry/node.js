// Node 18+: compile the wasm synchronously from the file beside this package.
// node:fs comes through process.getBuiltinModule where Node has it (20.16+):
// importing it as an ES module costs ~1.7 ms of cold start (it loads streams).
import { initSync } from '../oauth_connectors.js';

const { readFileSync } = globalThis.process.getBuiltinModule?.('node:fs') ?? (await import('node:fs'));
initSync({ module: readFileSync(new URL('../oauth_connectors_bg.wasm', import.meta.url)) });

export * from '../api.js';
export { loadConnectorsDir } from '../fs.js';
export { serveNode, toNodeHandler } from '../node-server.js';
