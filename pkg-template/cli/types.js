// `oauth-connectors types generate`: the Dynamic Types file from the
// connector files, offline, as `generateTypes` writes it.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { resolveSettings } from './common.js';
import { loadLocal } from './connectors.js';

export const DEFAULT_TYPES_OUT = 'base44/.types/connectors.d.ts';

export async function generate(opts, out) {
  const settings = resolveSettings(opts);
  let result;
  try {
    result = await loadLocal(settings.connectorsDirShown, { accept: () => true });
  } catch (error) {
    if (!Array.isArray(error?.errors)) throw error;
    if (out.json) {
      out.event({ error: { code: error.code, message: error.message.replace(/\n/g, '; '), errors: error.errors } });
    } else {
      for (const e of error.errors) out.stderr.write(`${e.message}\n`);
      out.stderr.write(`error ${error.code}: ${error.errors.length} bad connector file${error.errors.length === 1 ? '' : 's'}; no types written\n`);
    }
    return 1;
  }
  // A type the built-in catalog lacks may be a custom provider of the server: kept, with a warning.
  for (const e of result.accepted) {
    out.note(`warning ${e.code}: ${e.message} (kept: it may be a custom provider of your server)`);
  }
  const { generateTypes } = await import('../entry/node.js');
  const text = generateTypes(result, opts.moduleName ? { moduleName: opts.moduleName } : undefined);
  const path = opts.out ?? DEFAULT_TYPES_OUT;
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, text);
  const types = result.connectors.map((c) => c.type);
  out.event({ path, types, module: opts.moduleName ?? 'oauth-connectors', warnings: result.accepted });
  out.line(`Wrote ${path}: ${types.length} connector type${types.length === 1 ? '' : 's'}${types.length ? ` (${types.join(', ')})` : ''}`);
  return 0;
}
