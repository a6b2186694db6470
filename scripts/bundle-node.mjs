// The Node entry as one module: the entry, the API, the stores, fs and the
// server adapter and the wasm glue in one file, so Node's loader resolves,
// reads and links two modules instead of seven (~1.8 ms less import in
// `bash scripts/bench.sh`). client.js stays its own module: `oauth-connectors`
// and `oauth-connectors/client` share one `Base44Error` class.
//   node scripts/bundle-node.mjs pkg   (run by scripts/build.sh)
import { build } from 'esbuild';
import { join } from 'node:path';

const pkg = process.argv[2];
const entry = join(pkg, 'entry', 'node.js');
await build({
  entryPoints: [entry],
  outfile: entry,
  allowOverwrite: true,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node18',
  legalComments: 'none',
  logLevel: 'warning',
  plugins: [
    {
      name: 'client-stays-external',
      setup(b) {
        b.onResolve({ filter: /^\.\.?\/client\.js$/ }, () => ({ path: '../client.js', external: true }));
      },
    },
  ],
});
