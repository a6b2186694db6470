// Reading connector files from disk, for runtimes with a file system (Node,
// Deno). node:fs is loaded on first use, not at import: it costs start-up time.
import { validateConnectors } from './api.js';
import { ConnectorsError } from './errors.js';

/**
 * Reads every `*.jsonc` and `*.json` file in `dir` (default
 * `base44/connectors`, as the Base44 CLI), in name order, and validates them
 * as a set. A missing folder holds no connectors, as in the Base44 CLI.
 */
export async function loadConnectorsDir(dir = 'base44/connectors') {
  if (typeof dir !== 'string' || dir === '') {
    throw new ConnectorsError('INVALID_INPUT', 'The connectors folder must be a non-empty string');
  }
  const [{ readdir, readFile }, { join }] = await Promise.all([import('node:fs/promises'), import('node:path')]);
  let names;
  try {
    names = await readdir(dir);
  } catch (error) {
    if (error && error.code === 'ENOENT') return validateConnectors([]);
    throw new ConnectorsError('INVALID_INPUT', `Cannot read the connectors folder ${dir}: ${error.message}`, { cause: error });
  }
  const files = [];
  for (const name of names.filter((n) => /\.jsonc?$/.test(n)).sort()) {
    const path = join(dir, name);
    files.push({ path, text: new Uint8Array(await readFile(path)) });
  }
  return validateConnectors(files);
}
