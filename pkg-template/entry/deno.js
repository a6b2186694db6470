// Deno 2: the wasm comes through `import source` (no permission flags
// needed). Deno releases that cannot parse that syntax fall back to reading
// the file, which needs --allow-read for it.
import { initSync } from '../oauth_connectors.js';

let wasm;
try {
  wasm = (await import('./deno-wasm.js')).default;
} catch {
  const url = new URL('../oauth_connectors_bg.wasm', import.meta.url);
  try {
    wasm = Deno.readFileSync(url);
  } catch (error) {
    throw new Error(
      `oauth-connectors: this Deno cannot import WebAssembly sources, and may not read ${url.pathname}; ` +
        `upgrade Deno, or run with --allow-read=${url.pathname}`,
      { cause: error },
    );
  }
}
initSync({ module: wasm });

export * from '../api.js';
export { loadConnectorsDir } from '../fs.js';
