// `oauth-connectors connectors ...`: the builder's connector files against
// the server's management calls (list-available, validate, push, pull,
// list, remove).
import { readdir, readFile, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  CliError,
  EXIT_USAGE,
  confirm,
  connect,
  isInteractive,
  oneLine,
  resolveSettings,
  sleep,
  spinner,
} from './common.js';
import { STRIPE, pushStripe, removeStripe, stripeFileText, stripeStatus } from './stripe.js';

const POLL_MS = 2_000;
const DEFAULT_TIMEOUT_S = 120;

const library = () => import('../entry/node.js');

/** The connector files of `dir` as `{ path, text }`, in name order (as loadConnectorsDir reads them). */
async function readFiles(dir) {
  let names;
  try {
    names = await readdir(dir);
  } catch (error) {
    if (error && error.code === 'ENOENT') return [];
    throw new CliError('INVALID_INPUT', `Cannot read the connectors folder ${dir}: ${error.message}`);
  }
  const files = [];
  for (const name of names.filter((n) => /\.jsonc?$/.test(n)).sort()) {
    const path = join(dir, name);
    files.push({ path, text: new Uint8Array(await readFile(path)) });
  }
  return files;
}

/**
 * The local connector files, validated as `validateConnectors` does, each
 * with its path. `accept(type)`: a type the local catalog does not know
 * that is accepted all the same (push: the server's catalog has it, a
 * custom provider); those files' errors are in `accepted`.
 */
export async function loadLocal(dir, { accept } = {}) {
  const api = await library();
  const files = await readFiles(dir);
  const withPaths = (result, list) => ({
    connectors: result.connectors.map((c, i) => ({ ...c, path: list[i].path })),
    warnings: result.warnings,
    accepted: [],
  });
  try {
    return withPaths(api.validateConnectors(files), files);
  } catch (error) {
    if (!accept || !Array.isArray(error?.errors)) throw error;
    const custom = new Map(); // path -> parsed
    const accepted = [];
    for (const e of error.errors) {
      if (e.code !== 'UNKNOWN_PROVIDER') throw error;
      const file = files.find((f) => f.path === e.path);
      const parsed = file && api.parseConnectorFile(file.text, file.path);
      if (!parsed || !accept(parsed.type)) throw error;
      custom.set(file.path, parsed);
      accepted.push(e);
    }
    const rest = files.filter((f) => !custom.has(f.path));
    const known = withPaths(api.validateConnectors(rest), rest);
    const byPath = new Map(known.connectors.map((c) => [c.path, c]));
    const seen = new Map();
    const connectors = [];
    for (const f of files) {
      const c = byPath.get(f.path) ?? { ...custom.get(f.path), path: f.path };
      if (seen.has(c.type)) {
        throw new CliError('DUPLICATE_CONNECTOR', `${f.path}: Duplicate connector type "${c.type}" (also declared in ${seen.get(c.type)})`);
      }
      seen.set(c.type, f.path);
      connectors.push(c);
    }
    return { connectors, warnings: known.warnings, accepted };
  }
}

/** `connectors list-available`: the server's catalog. */
export async function listAvailable(opts, out) {
  const client = await connect(resolveSettings(opts), out);
  const { integrations } = await client.request('GET', 'external-auth/available-integrations');
  if (out.json) {
    out.event({ integrations });
    return 0;
  }
  const fields = (list = []) => list.map((f) => (f.required ? `${f.name} (required)` : f.name)).join(', ');
  out.table(['TYPE', 'NAME', 'CONNECTION CONFIG'], integrations.map((i) => [i.integration_type, i.display_name, fields(i.connection_config_fields)]));
  out.line(`${integrations.length} integrations`);
  return 0;
}

/** `connectors validate`: every bad file with path:line:column, offline. */
export async function validate(opts, out) {
  const settings = resolveSettings(opts);
  let result;
  try {
    result = await loadLocal(settings.connectorsDirShown);
  } catch (error) {
    if (!Array.isArray(error?.errors)) throw error;
    if (out.json) {
      out.event({ ok: false, errors: error.errors });
    } else {
      for (const e of error.errors) out.stderr.write(`${e.message}\n`);
      out.stderr.write(`${error.errors.length} bad connector file${error.errors.length === 1 ? '' : 's'}\n`);
    }
    return 1;
  }
  if (out.json) {
    out.event({ ok: true, connectors: result.connectors, warnings: result.warnings });
    return 0;
  }
  for (const w of result.warnings) out.stderr.write(`warning ${w.code}: ${w.path ? `${w.path}: ` : ''}${w.message}\n`);
  const n = result.connectors.length;
  out.line(`${n} connector file${n === 1 ? '' : 's'} valid in ${settings.connectorsDirShown}${n ? `: ${result.connectors.map((c) => c.type).join(', ')}` : ''}`);
  return 0;
}

/** Prints a set of file errors (from the library) as validate does, then fails. */
function reportInvalid(error, out) {
  if (!Array.isArray(error?.errors)) throw error;
  if (out.json) {
    out.event({ error: { code: error.code, message: oneLine(error.message), errors: error.errors } });
  } else {
    for (const e of error.errors) out.stderr.write(`${e.message}\n`);
    out.stderr.write(`error ${error.code}: ${error.errors.length} bad connector file${error.errors.length === 1 ? '' : 's'}; nothing was pushed\n`);
  }
  return 1;
}

/** The server's public URL, read from a consent URL (its start route), else the server flag. */
function publicUrlOf(consentUrl, client) {
  try {
    const url = new URL(consentUrl);
    const marker = `/api/apps/${encodeURIComponent(client.appId)}/`;
    const at = url.pathname.indexOf(marker);
    if (at >= 0) return url.origin + url.pathname.slice(0, at);
  } catch {
    // fall through
  }
  return client.server;
}

async function openBrowser(url, opts, out) {
  if (opts.open === false || process.env.BROWSER === 'none') return false;
  try {
    const { default: open } = await import('open');
    const child = await open(url);
    child?.on?.('error', () => out.note('Could not open a browser: open the URL above yourself'));
    child?.unref?.();
    return true;
  } catch {
    out.note('Could not open a browser: open the URL above yourself');
    return false;
  }
}

/** Polls the PUT's authorization every 2 s until ACTIVE or FAILED, or the timeout. */
async function waitForConsent(client, type, connectionId, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  const query = `integration_type=${encodeURIComponent(type)}&connection_id=${encodeURIComponent(connectionId)}`;
  for (;;) {
    await sleep(Math.min(POLL_MS, Math.max(0, deadline - Date.now())));
    try {
      const { status } = await client.request('GET', `external-auth/status?${query}`);
      if (status === 'ACTIVE') return { ok: true };
      if (status === 'FAILED') return { ok: false, code: 'AUTHORIZATION_FAILED', message: `The consent for ${type} failed or expired` };
    } catch (error) {
      if (error?.code !== 'NETWORK_ERROR') return { ok: false, code: error.code, message: error.message };
    }
    if (Date.now() >= deadline) {
      return { ok: false, code: 'CONSENT_TIMEOUT', message: `No consent for ${type} within ${Math.round(timeoutMs / 1000)} s` };
    }
  }
}

function parseTimeout(value) {
  if (value === undefined) return DEFAULT_TIMEOUT_S * 1000;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || n > 3600) {
    throw new CliError('USAGE', `--timeout takes seconds, 1 to 3600, got ${JSON.stringify(value)}`, { exitCode: EXIT_USAGE });
  }
  return n * 1000;
}

/** `connectors push`. */
export async function push(opts, out) {
  const timeoutMs = parseTimeout(opts.timeout);
  const settings = resolveSettings(opts);
  // Bad files stop the push before the server is asked anything but its catalog.
  try {
    await loadLocal(settings.connectorsDirShown);
  } catch (error) {
    if (!Array.isArray(error?.errors) || !error.errors.every((e) => e.code === 'UNKNOWN_PROVIDER')) return reportInvalid(error, out);
  }
  const client = await connect(settings, out);
  let local;
  try {
    const { integrations } = await client.request('GET', 'external-auth/available-integrations');
    const served = new Set(integrations.map((i) => i.integration_type));
    local = await loadLocal(settings.connectorsDirShown, { accept: (type) => served.has(type) });
  } catch (error) {
    return reportInvalid(error, out);
  }
  for (const w of local.warnings) {
    out.note(`warning ${w.code}: ${w.path ? `${w.path}: ` : ''}${w.message}`);
    out.event({ event: 'warning', code: w.code, message: w.message, path: w.path });
  }

  const results = [];
  const redirectUris = [];
  const record = (result) => {
    results.push(result);
    const { type, result: what, ...rest } = result;
    out.event({ event: what, type, ...rest });
  };

  for (const connector of local.connectors) {
    const { type, scopes } = connector;
    if (type === STRIPE) {
      // Stripe is no OAuth consent: its key is installed through payments/stripe.
      record(await pushStripe(client, { opts, out, timeoutMs, openBrowser }));
      continue;
    }
    let answer;
    try {
      answer = await client.request('PUT', `external-auth/integrations/${encodeURIComponent(type)}`, { scopes });
    } catch (error) {
      out.line(`✗ ${type}: ${error.code}: ${oneLine(error.message)}`);
      record({ type, result: 'failed', code: error.code, message: oneLine(error.message) });
      continue;
    }
    if (answer.error) {
      const message = oneLine(answer.error_message ?? answer.error) + (answer.other_user_email ? ` (connected by ${answer.other_user_email})` : '');
      out.line(`✗ ${type}: ${answer.error}: ${message}`);
      record({ type, result: 'failed', code: String(answer.error), message });
      continue;
    }
    if (answer.already_authorized) {
      out.line(`✓ ${type}: synced (already authorized)`);
      record({ type, result: 'synced' });
      continue;
    }
    if (typeof answer.redirect_url !== 'string' || typeof answer.connection_id !== 'string') {
      out.line(`✗ ${type}: the server answered no consent URL`);
      record({ type, result: 'failed', code: 'BAD_RESPONSE', message: 'The server answered no consent URL' });
      continue;
    }
    const redirectUri = client.callbackUrl(type, publicUrlOf(answer.redirect_url, client));
    redirectUris.push({ type, redirect_uri: redirectUri });
    out.event({ event: 'consent', type, url: answer.redirect_url, connection_id: answer.connection_id, redirect_uri: redirectUri });
    out.line(`→ ${type}: open this URL to connect it (the provider must accept the redirect URI ${redirectUri}):`);
    out.line(`  ${answer.redirect_url}`);
    await openBrowser(answer.redirect_url, opts, out);
    const spin = await spinner(out);
    spin.start(`Waiting for the consent for ${type} (up to ${Math.round(timeoutMs / 1000)} s)`);
    const done = await waitForConsent(client, type, answer.connection_id, timeoutMs);
    if (done.ok) {
      spin.stop(`✓ ${type}: connected`);
      record({ type, result: 'connected' });
    } else {
      spin.stop(`✗ ${type}: ${done.code}: ${done.message}`, true);
      record({ type, result: 'failed', code: done.code, message: done.message });
    }
  }

  // Upstream connections with no local file: removed after a confirmation.
  const localTypes = new Set(local.connectors.map((c) => c.type));
  let upstream = [];
  try {
    upstream = (await client.request('GET', 'external-auth/list')).integrations ?? [];
  } catch (error) {
    out.line(`✗ could not list the upstream connections: ${error.code}: ${oneLine(error.message)}`);
    record({ type: null, result: 'failed', code: error.code, message: `Listing upstream connections: ${oneLine(error.message)}` });
  }
  const orphans = upstream.map((i) => i.integration_type).filter((t) => t !== STRIPE && !localTypes.has(t));
  // Stripe upstream with no local file: the status says whether the server keeps a key.
  if (!localTypes.has(STRIPE)) {
    try {
      if ((await stripeStatus(client))?.stripe_mode) orphans.push(STRIPE);
    } catch (error) {
      out.line(`✗ could not read the Stripe status: ${error.code}: ${oneLine(error.message)}`);
      record({ type: STRIPE, result: 'failed', code: error.code, message: `Reading the Stripe status: ${oneLine(error.message)}` });
    }
  }
  if (orphans.length > 0) {
    let remove = Boolean(opts.yes);
    if (!remove) {
      const answer = await confirm(out, `Remove ${orphans.join(', ')} from the server (connected there, no local file)?`);
      if (answer === undefined) {
        out.note(`Not removed: ${orphans.join(', ')} (connected on the server, no local file). Run again with --yes to remove them.`);
      }
      remove = answer === true;
    }
    for (const type of orphans) {
      if (!remove) {
        record({ type, result: 'kept', message: 'connected on the server with no local file; not removed (pass --yes to remove)' });
        continue;
      }
      try {
        const answer = type === STRIPE ? await removeStripe(client) : await client.request('DELETE', `external-auth/integrations/${encodeURIComponent(type)}/remove`);
        out.line(`✓ ${type}: removed (no local file)`);
        record({ type, result: 'removed', revocation: answer.revocation });
      } catch (error) {
        out.line(`✗ ${type}: could not remove: ${error.code}: ${oneLine(error.message)}`);
        record({ type, result: 'failed', code: error.code, message: oneLine(error.message) });
      }
    }
  }

  const failed = results.filter((r) => r.result === 'failed').length;
  out.event({ event: 'summary', ok: failed === 0, results, redirect_uris: redirectUris });
  if (!out.json) {
    out.line('');
    if (results.length === 0) {
      out.line(`Nothing to push: no connector files in ${settings.connectorsDirShown}`);
    } else {
      out.table(['CONNECTOR', 'RESULT', 'DETAIL'], results.map((r) => [r.type ?? '-', r.result, r.code ? `${r.code}: ${r.message}` : (r.message ?? '')]));
    }
    if (redirectUris.length > 0) {
      out.line('');
      out.line('Each new connector needs this redirect URI registered at its provider:');
      out.table(['CONNECTOR', 'REDIRECT URI'], redirectUris.map((r) => [r.type, r.redirect_uri]));
    }
    if (failed) out.line(`${failed} failed`);
  }
  return failed ? 1 : 0;
}

const fileText = (type, scopes) => `${JSON.stringify({ type, scopes }, null, 2)}\n`;

/** `connectors pull`: a `{type}.jsonc` for each upstream connection. */
export async function pull(opts, out) {
  const settings = resolveSettings(opts);
  const client = await connect(settings, out);
  const { integrations = [] } = await client.request('GET', 'external-auth/list');
  const api = await library();
  // A type already declared in some file keeps its file.
  const existing = new Map();
  for (const f of await readFiles(settings.connectorsDirShown)) {
    try {
      const parsed = api.parseConnectorFile(f.text, f.path);
      if (!existing.has(parsed.type)) existing.set(parsed.type, { path: f.path, scopes: parsed.scopes });
    } catch {
      // a bad file is left as it is; `validate` reports it
    }
  }
  await mkdir(settings.connectorsDirShown, { recursive: true });
  const pulled = [];
  for (const { integration_type: type, scopes = [] } of integrations) {
    if (type === STRIPE) continue; // from the Stripe status, below
    const known = existing.get(type);
    const path = known?.path ?? join(settings.connectorsDirShown, `${type}.jsonc`);
    const same = known && known.scopes.length === scopes.length && scopes.every((s) => known.scopes.includes(s));
    if (!same) await writeFile(path, fileText(type, scopes));
    pulled.push({ type, path, scopes, result: same ? 'unchanged' : 'written' });
  }
  // Stripe, as Base44's CLI pulls it: a `stripe` file when the status says installed.
  const stripe = await stripeStatus(client);
  if (stripe?.stripe_mode) {
    const known = existing.get(STRIPE);
    const path = known?.path ?? join(settings.connectorsDirShown, `${STRIPE}.jsonc`);
    if (!known) await writeFile(path, stripeFileText());
    pulled.push({ type: STRIPE, path, scopes: [], result: known ? 'unchanged' : 'written', stripe_mode: stripe.stripe_mode });
  }
  if (out.json) {
    out.event({ pulled });
    return 0;
  }
  if (pulled.length === 0) {
    out.line('No connections on the server: nothing written');
    return 0;
  }
  out.table(['CONNECTOR', 'FILE', 'RESULT', 'SCOPES'], pulled.map((p) => [p.type, p.path, p.result, p.stripe_mode ? `(${p.stripe_mode} mode)` : p.scopes.join(' ')]));
  return 0;
}

/** Every page of `GET connections` (de-duplicated by id), or null when the store cannot list. */
async function listConnections(client, query = '') {
  const seen = new Map();
  let cursor = null;
  let unreadable = 0;
  for (let page = 0; page < 10_000; page++) {
    const q = new URLSearchParams(query);
    q.set('limit', '1000');
    if (cursor) q.set('cursor', cursor);
    let answer;
    try {
      answer = await client.request('GET', `connections?${q}`);
    } catch (error) {
      if (error?.code === 'LIST_UNSUPPORTED') return null;
      throw error;
    }
    for (const c of answer.connections ?? []) seen.set(c.id, c);
    unreadable += answer.unreadable ?? 0;
    cursor = answer.cursor;
    if (!cursor) break;
  }
  return { connections: [...seen.values()], unreadable };
}

const when = (ms) => (typeof ms === 'number' ? new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z') : '');

/** `connectors list`: every connection with its status. */
export async function list(opts, out) {
  const client = await connect(resolveSettings(opts), out);
  if (opts.users !== undefined) return listUsers(client, opts.users, out);
  const listed = await listConnections(client);
  const stripe = await stripeStatus(client);
  const stripeMode = stripe ? stripe.stripe_mode : undefined;
  if (listed === null) {
    // A store without `list`: only the shared connections, from Base44's list.
    const { integrations = [] } = await client.request('GET', 'external-auth/list');
    const connections = integrations.map((i) => ({ kind: 'shared', connector: i.integration_type, status: String(i.status).toLowerCase(), scopes: i.scopes ?? [], user_email: i.user_email ?? null }));
    if (out.json) {
      out.event({ source: 'external-auth/list', connections, app_users: null, stripe_mode: stripeMode ?? null });
      return 0;
    }
    out.note('The server\'s store cannot list connections (LIST_UNSUPPORTED): showing the shared ones only, from external-auth/list.');
    printConnections(connections, out, stripeMode);
    return 0;
  }
  const connections = listed.connections.filter((c) => c.kind !== 'app_user');
  const appUsers = {};
  for (const c of listed.connections.filter((c) => c.kind === 'app_user')) {
    const counts = (appUsers[c.connector] ??= { total: 0 });
    counts.total++;
    counts[c.status] = (counts[c.status] ?? 0) + 1;
  }
  if (out.json) {
    out.event({ source: 'connections', connections, app_users: appUsers, unreadable: listed.unreadable, stripe_mode: stripeMode ?? null });
    return 0;
  }
  printConnections(connections, out, stripeMode);
  const ids = Object.keys(appUsers).sort();
  if (ids.length > 0) {
    out.line('');
    out.table(['APP-USER CONNECTOR', 'USERS', 'ACTIVE', 'EXPIRED'], ids.map((id) => [id, appUsers[id].total, appUsers[id].active ?? 0, appUsers[id].expired ?? 0]));
    out.line('(--users <connectorId> lists them)');
  }
  if (listed.unreadable) out.note(`${listed.unreadable} stored connections could not be read (sealed under a secret the server no longer has, or changed)`);
  return 0;
}

function printConnections(connections, out, stripeMode) {
  if (connections.length === 0) {
    out.line('No shared or workspace connections');
  } else {
    // Stripe's row shows its mode where an OAuth connection shows its scopes.
    const scopes = (c) => (c.connector === STRIPE && stripeMode ? `(${stripeMode} mode)` : (c.scopes ?? []).join(' '));
    out.table(
      ['KIND', 'CONNECTOR', 'STATUS', 'ACCOUNT', 'SCOPES', 'EXPIRES'],
      connections.map((c) => [c.kind, c.connector, c.status, c.user_email ?? '', scopes(c), when(c.expires_at_ms)]),
    );
  }
  // undefined: the server serves no Stripe.
  if (stripeMode !== undefined) out.line(`Stripe: ${stripeMode ? `installed, ${stripeMode} mode` : 'not installed'}`);
}

async function listUsers(client, connectorId, out) {
  if (connectorId === '' || connectorId === true) throw new CliError('USAGE', '--users takes a connector id', { exitCode: EXIT_USAGE });
  const listed = await listConnections(client, new URLSearchParams({ kind: 'app_user', connector: connectorId }).toString());
  if (listed === null) {
    throw new CliError('LIST_UNSUPPORTED', 'The server\'s store cannot list connections, so app-user connections cannot be listed');
  }
  const users = listed.connections.map(({ user_id, status, user_email, scopes, updated_at_ms, expires_at_ms, last_refresh }) => ({ user_id, status, user_email, scopes, updated_at_ms, expires_at_ms, last_refresh }));
  if (out.json) {
    out.event({ connector: connectorId, users, unreadable: listed.unreadable });
    return 0;
  }
  if (users.length === 0) {
    out.line(`No app-user connections for ${connectorId}`);
    return 0;
  }
  out.table(['USER', 'STATUS', 'ACCOUNT', 'UPDATED', 'LAST REFRESH'], users.map((u) => [u.user_id, u.status, u.user_email ?? '', when(u.updated_at_ms), u.last_refresh ? (u.last_refresh.ok ? `ok ${when(u.last_refresh.at_ms)}` : `${u.last_refresh.code} ${when(u.last_refresh.at_ms)}`) : '']));
  out.line(`${users.length} user${users.length === 1 ? '' : 's'} connected to ${connectorId}`);
  return 0;
}

/** `connectors remove <type>`. */
export async function remove(type, opts, out) {
  const client = await connect(resolveSettings(opts), out);
  if (!opts.yes) {
    const answer = await confirm(out, `Remove ${type} from the server (its token is revoked at the provider)?`);
    if (answer === undefined) {
      throw new CliError('CONFIRMATION_REQUIRED', `Not removed: pass --yes to remove ${type} without a terminal to confirm in`, { exitCode: EXIT_USAGE });
    }
    if (!answer) {
      out.line('Not removed');
      out.event({ type, result: 'kept' });
      return 1;
    }
  }
  const answer = type === STRIPE ? await removeStripe(client) : await client.request('DELETE', `external-auth/integrations/${encodeURIComponent(type)}/remove`);
  out.event({ type: answer.integration_type ?? type, result: 'removed', revocation: answer.revocation ?? null });
  out.line(`✓ ${answer.integration_type ?? type}: removed${answer.revocation ? ` (revocation: ${answer.revocation})` : ''}`);
  return 0;
}

export { isInteractive };
