import { ConnectorsError } from './errors.js';

/** Runtimes without a file system: read the files yourself and call validateConnectors. */
export async function loadConnectorsDir() {
  throw new ConnectorsError(
    'INVALID_INPUT',
    'loadConnectorsDir needs a file system (Node or Deno); here, pass the files to validateConnectors',
  );
}
