// Shared by every command: where to talk to (flags, then env vars, then the
// project file), the HTTP client to the server, and output (human tables and
// spinners in a terminal, or one JSON object per line with --json). Errors
// are one line, `error CODE: message`, never a stack.
import jsonc from 'jsonc-parser';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

export const DEFAULT_CONNECTORS_DIR = 'base44/connectors';
const PROJECT_FILES = ['oauth-connectors.json', 'oauth-connectors.jsonc'];
const PROJECT_FIELDS = ['server', 'appId', 'connectorsDir'];
// What `oauth-connectors serve` reads from the same file (cli/serve.js checks them): allowed here, not read.
const SERVE_FIELDS = ['$schema', 'publicUrl', 'allowedReturnUrls', 'credentials', 'appUserConnectors', 'workspaceConnectors', 'providers', 'users'];
const REQUEST_TIMEOUT_MS = 30_000;

/** An error the CLI reports as one line, with a stable code and an exit code. */
export class CliError extends Error {
  constructor(code, message, { exitCode = EXIT_FAILURE, details } = {}) {
    super(message);
    this.name = 'CliError';
    this.code = code;
    this.exitCode = exitCode;
    if (details !== undefined) this.details = details;
  }
}

export const usage = (message) => new CliError('USAGE', message, { exitCode: EXIT_USAGE });

let version;
export function cliVersion() {
  if (version === undefined) {
    try {
      version = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version;
    } catch {
      version = '0.0.0';
    }
  }
  return version;
}

/**
 * JSONC (comments and trailing commas) read with `jsonc-parser`: the value,
 * or a SyntaxError naming the first problem and its line.
 */
export function parseJsonc(text) {
  const errors = [];
  const value = jsonc.parse(text, errors, { allowTrailingComma: true, disallowComments: false });
  if (errors.length > 0) {
    const { error, offset } = errors[0];
    const line = text.slice(0, offset).split('\n').length;
    throw new SyntaxError(`${jsonc.printParseErrorCode(error)} at line ${line}`);
  }
  return value;
}

/** The project file of `cwd` (`oauth-connectors.json` or `.jsonc`), or `{}`. */
export function readProjectFile(cwd) {
  for (const name of PROJECT_FILES) {
    const path = join(cwd, name);
    let text;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      if (error && error.code === 'ENOENT') continue;
      throw new CliError('CONFIG_INVALID', `Cannot read ${name}: ${error.message}`, { exitCode: EXIT_USAGE });
    }
    let value;
    try {
      value = parseJsonc(text);
    } catch (error) {
      throw new CliError('CONFIG_SYNTAX', `${name}: not JSON: ${error.message}`, { exitCode: EXIT_USAGE });
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw new CliError('CONFIG_INVALID', `${name} must hold an object`, { exitCode: EXIT_USAGE });
    }
    for (const [key, field] of Object.entries(value)) {
      if (SERVE_FIELDS.includes(key)) continue;
      if (!PROJECT_FIELDS.includes(key)) {
        throw new CliError('CONFIG_INVALID', `${name}: unknown field "${key}" (it may hold ${[...PROJECT_FIELDS, ...SERVE_FIELDS].join(', ')})`, { exitCode: EXIT_USAGE });
      }
      if (typeof field !== 'string' || field === '') {
        throw new CliError('CONFIG_INVALID', `${name}: "${key}" must be a non-empty string`, { exitCode: EXIT_USAGE });
      }
    }
    const own = Object.fromEntries(Object.entries(value).filter(([key]) => PROJECT_FIELDS.includes(key)));
    return { ...own, file: name };
  }
  return {};
}

/**
 * Where to talk to: flags win over env vars, which win over the project
 * file. The service token comes only from OAUTH_CONNECTORS_SERVICE_TOKEN or
 * a hidden prompt in a terminal, never from a flag.
 */
export function resolveSettings(opts, { cwd = process.cwd(), env = process.env } = {}) {
  const file = readProjectFile(cwd);
  const dir = opts.dir ?? env.OAUTH_CONNECTORS_DIR ?? file.connectorsDir ?? DEFAULT_CONNECTORS_DIR;
  return {
    server: opts.server ?? env.OAUTH_CONNECTORS_URL ?? file.server,
    appId: opts.appId ?? env.OAUTH_CONNECTORS_APP_ID ?? file.appId,
    connectorsDir: resolve(cwd, dir),
    connectorsDirShown: dir,
    token: env.OAUTH_CONNECTORS_SERVICE_TOKEN,
  };
}

export function isInteractive(out) {
  return !out.json && Boolean(process.stdin.isTTY && process.stdout.isTTY);
}

/** The server client for `settings`: asks for the token in a terminal when the env var is unset. */
export async function connect(settings, out) {
  if (!settings.server) {
    throw new CliError('NOT_CONFIGURED', 'No server: pass --server, set OAUTH_CONNECTORS_URL, or put "server" in oauth-connectors.json', { exitCode: EXIT_USAGE });
  }
  let base;
  try {
    base = new URL(settings.server);
    if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new Error('not http(s)');
  } catch {
    throw new CliError('NOT_CONFIGURED', `The server must be an http(s) URL, got ${JSON.stringify(settings.server)}`, { exitCode: EXIT_USAGE });
  }
  if (!settings.appId) {
    throw new CliError('NOT_CONFIGURED', 'No app id: pass --app-id, set OAUTH_CONNECTORS_APP_ID, or put "appId" in oauth-connectors.json', { exitCode: EXIT_USAGE });
  }
  let token = settings.token;
  if (!token && isInteractive(out)) {
    const { password, isCancel } = await import('@clack/prompts');
    const answer = await password({ message: 'Service token (OAUTH_CONNECTORS_SERVICE_TOKEN)' });
    if (isCancel(answer)) throw new CliError('CANCELLED', 'Cancelled');
    token = answer;
  }
  if (!token) {
    throw new CliError('NOT_CONFIGURED', 'No service token: set OAUTH_CONNECTORS_SERVICE_TOKEN', { exitCode: EXIT_USAGE });
  }
  return new ServerClient(base.href.replace(/\/+$/, ''), settings.appId, token);
}

/** The management calls, over HTTP, with the service token. */
export class ServerClient {
  #token;
  constructor(server, appId, token) {
    this.server = server;
    this.appId = appId;
    this.#token = token;
  }

  /** The URL of `path` under `/api/apps/{appId}/`. */
  url(path) {
    return `${this.server}/api/apps/${encodeURIComponent(this.appId)}/${path}`;
  }

  /** The callback a shared connector's provider must have registered. */
  callbackUrl(type, publicUrl = this.server) {
    return `${publicUrl}/api/apps/${encodeURIComponent(this.appId)}/external-auth/callback/${type}`;
  }

  /** Sends one call; answers the JSON body, or throws a CliError with the server's code and message. */
  async request(method, path, body) {
    const headers = {
      authorization: `Bearer ${this.#token}`,
      'user-agent': `oauth-connectors-cli/${cliVersion()}`,
      'x-request-id': randomUUID(),
      accept: 'application/json',
    };
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response;
    try {
      response = await fetch(this.url(path), {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        redirect: 'manual',
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (error) {
      const why = error?.name === 'TimeoutError' ? `no answer in ${REQUEST_TIMEOUT_MS / 1000} s` : (error?.cause?.code ?? error?.cause?.message ?? error?.message ?? 'failed');
      throw new CliError('NETWORK_ERROR', `Cannot reach ${this.server}: ${why}`);
    }
    const text = await response.text();
    let json;
    try {
      json = text === '' ? null : JSON.parse(text);
    } catch {
      json = undefined;
    }
    if (!response.ok) {
      const error = json?.error;
      if (error && typeof error.code === 'string') {
        throw new CliError(error.code, String(error.message ?? ''), { details: { status: response.status } });
      }
      throw new CliError('HTTP_ERROR', `${method} ${path} answered ${response.status} ${response.statusText}`.trim(), { details: { status: response.status } });
    }
    if (json === undefined || json === null) {
      throw new CliError('BAD_RESPONSE', `${method} ${path} answered ${response.status} without JSON`);
    }
    return json;
  }
}

/** Output: human text on stdout/stderr, or JSON lines on stdout with --json. */
export class Output {
  #secrets = [];
  constructor({ json = false, stdout = process.stdout, stderr = process.stderr } = {}) {
    this.json = json;
    const guard = (stream) => ({ write: (text) => stream.write(this.#cut(String(text))), get isTTY() { return stream.isTTY; } });
    this.stdout = guard(stdout);
    this.stderr = guard(stderr);
  }
  /** A secret (a Stripe key) that no line may hold: cut out of everything written, as a last guard. */
  redact(secret) {
    if (typeof secret === 'string' && secret.length >= 8 && !this.#secrets.includes(secret)) this.#secrets.push(secret);
  }
  #cut(text) {
    let out = text;
    for (const s of this.#secrets) out = out.split(s).join('[redacted]');
    return out;
  }
  /** A human line (nothing with --json). */
  line(text = '') {
    if (!this.json) this.stdout.write(`${text}\n`);
  }
  /** A note on stderr (nothing with --json). */
  note(text) {
    if (!this.json) this.stderr.write(`${text}\n`);
  }
  /** One JSON object on its own line (only with --json). */
  event(value) {
    if (this.json) this.stdout.write(`${JSON.stringify(value)}\n`);
  }
  table(headers, rows) {
    if (this.json) return;
    this.stdout.write(formatTable(headers, rows));
  }
  error(error) {
    const code = error?.code ?? 'INTERNAL';
    const message = oneLine(error?.message ?? String(error));
    if (this.json) {
      const value = { error: { code, message } };
      if (error?.errors) value.error.errors = error.errors;
      this.stdout.write(`${JSON.stringify(value)}\n`);
    } else {
      this.stderr.write(`error ${code}: ${message}\n`);
    }
  }
}

export const oneLine = (text) => String(text).replace(/\s*\n\s*/g, '; ');

export function formatTable(headers, rows) {
  const cells = [headers, ...rows].map((row) => row.map((c) => (c === null || c === undefined ? '' : String(c))));
  const widths = headers.map((_, i) => Math.max(...cells.map((row) => row[i].length)));
  const render = (row) => row.map((c, i) => (i === row.length - 1 ? c : c.padEnd(widths[i]))).join('  ').trimEnd();
  const lines = [render(cells[0]), render(widths.map((w) => '-'.repeat(w))), ...cells.slice(1).map(render)];
  return `${lines.join('\n')}\n`;
}

/** Asks yes/no in a terminal; `undefined` when there is none to ask in. */
export async function confirm(out, message) {
  if (!isInteractive(out)) return undefined;
  const prompts = await import('@clack/prompts');
  const answer = await prompts.confirm({ message, initialValue: false });
  if (prompts.isCancel(answer)) return false;
  return answer === true;
}

/** A spinner in a terminal, plain lines otherwise (none with --json). */
export async function spinner(out) {
  if (isInteractive(out)) {
    const { spinner: make } = await import('@clack/prompts');
    const s = make();
    return { start: (m) => s.start(m), message: (m) => s.message(m), stop: (m, failed = false) => s.stop(m, failed ? 2 : 0) };
  }
  return { start: (m) => out.line(m), message: () => {}, stop: (m) => out.line(m) };
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
