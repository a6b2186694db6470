// workerd (Cloudflare Workers): the runtime forbids compiling wasm from
// bytes, so the module is imported precompiled (wrangler and workerd both
// load `.wasm` imports as WebAssembly.Module).
import wasmModule from '../oauth_connectors_bg.wasm';
import { initSync } from '../oauth_connectors.js';

initSync({ module: wasmModule });

export * from '../api.js';
export { loadConnectorsDir } from '../no-fs.js';
