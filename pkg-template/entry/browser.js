// Browsers (and bundlers such as Vite): fetch and compile the wasm once,
// with top-level await, so importers can call every function right away.
import init from '../oauth_connectors.js';

await init({ module_or_path: new URL('../oauth_connectors_bg.wasm', import.meta.url) });

export * from '../api.js';
export { loadConnectorsDir } from '../no-fs.js';
