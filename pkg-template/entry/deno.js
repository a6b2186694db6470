// Deno 2: compile the wasm synchronously from the file beside this package.
import { initSync } from '../oauth_connectors.js';

initSync({ module: Deno.readFileSync(new URL('../oauth_connectors_bg.wasm', import.meta.url)) });

export * from '../api.js';
export { loadConnectorsDir } from '../fs.js';
