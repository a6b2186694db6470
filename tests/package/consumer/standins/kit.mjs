// The toolkit of the provider stand-ins: scripted OAuth 2.0 providers, each
// written from its provider's documentation, that check every request the
// way the provider does and answer in the provider's own shapes.
//
// A stand-in is an object the flow test (../standins.test.mjs) drives:
//   fetch(request)        what the connectors server's `fetch` option calls:
//                         the token endpoint (code exchange, refresh) and the
//                         revocation endpoint, on the provider's real URLs
//   consent(url)          the user's browser at the authorization URL: checks
//                         it as the provider does and returns the redirect
//                         back (code, state, the provider's extra parameters)
//   accepts(token)        whether the provider's API would take this access token now
//   userRevokes()         the user removes the app at the provider: its refresh
//                         token stops working
//   problems              every request refused for being malformed: the
//                         flow test fails on any
// plus what the test needs to know: clientId, clientSecret, connectionConfig,
// scopes to ask for, `refresh` ('rotated', 'reused' or 'none'), `revokes`
// (whether the provider documents revocation), expectedConfig (connection
// config the token read must carry).
//
// `oauth2(spec)` builds the common case, RFC 6749 with the provider's
// differences given as data and hooks; a provider that differs more writes
// its own object with the same members, from these helpers.

import { createHash, randomBytes } from 'node:crypto';

/** A request the provider refuses: `status` and the provider's own error body. */
export class Refusal extends Error {
  constructor(status, body, { problem = true, headers = {} } = {}) {
    super(typeof body === 'string' ? body : JSON.stringify(body));
    this.status = status;
    this.body = body;
    this.problem = problem;
    this.headers = headers;
  }
}

/** A JSON answer. */
export function json(status, body, headers = {}) {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json; charset=utf-8', ...headers } });
}

/** A form-encoded answer (GitHub without `Accept: application/json`). */
export function form(status, body) {
  return new Response(new URLSearchParams(body).toString(), { status, headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' } });
}

/** A token as the provider mints it: `prefix` and random URL-safe characters. */
export function mint(prefix = '', length = 40) {
  return prefix + randomBytes(length).toString('base64url').slice(0, length);
}

/** The PKCE S256 challenge of a verifier (RFC 7636 §4.2). */
export function s256(verifier) {
  return createHash('sha256').update(verifier).digest('base64url');
}

/**
 * The request's body as the provider reads it: `{ type, text, params }`,
 * `params` a plain object from a form or a JSON object body (`null` when the
 * body is neither).
 */
export async function readBody(request) {
  const type = (request.headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase();
  const text = await request.text();
  let params = null;
  if (type === 'application/x-www-form-urlencoded') {
    params = Object.fromEntries(new URLSearchParams(text));
  } else if (type === 'application/json') {
    try {
      const value = JSON.parse(text);
      if (value && typeof value === 'object' && !Array.isArray(value)) params = value;
    } catch {
      params = null;
    }
  }
  return { type, text, params };
}

/**
 * HTTP Basic client credentials (RFC 6749 §2.3.1: id and secret are
 * form-encoded before base64), or `null` when the request has none.
 */
export function basicAuth(request) {
  const header = request.headers.get('authorization') ?? '';
  const match = /^Basic ([A-Za-z0-9+/=]+)$/.exec(header);
  if (!match) return null;
  const pair = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = pair.indexOf(':');
  if (colon < 0) return null;
  const dec = (s) => decodeURIComponent(s.replace(/\+/g, ' '));
  return { id: dec(pair.slice(0, colon)), secret: dec(pair.slice(colon + 1)) };
}

/** `Authorization: Bearer <token>`'s token, or `null`. */
export function bearer(request) {
  const match = /^Bearer (\S+)$/i.exec(request.headers.get('authorization') ?? '');
  return match ? match[1] : null;
}

/** The URL without its query and fragment, as providers match endpoints. */
export const endpoint = (url) => {
  const u = new URL(url);
  return `${u.origin}${u.pathname}`;
};

/**
 * A stand-in of an RFC 6749 provider; each member of `spec` is a fact from
 * the provider's documentation:
 *
 * - `type`, `docs` (the addresses the facts come from), `scopes` (to ask
 *   for), `connectionConfig` (what the user gives), `expectedConfig` (what
 *   the token read must carry), `clientId`, `clientSecret`
 * - `authorize`: `{ url, params (required exact values), clientIdParam,
 *   redirectParam, scopeParam (null: no scopes), separator, pkce ('required',
 *   'optional' or 'none': a provider without PKCE ignores a challenge),
 *   extras(grant) (parameters added to the redirect back), check(url) }`
 * - `token`: `{ url, clientAuth ('basic', 'body' or 'either'), format ('form',
 *   'json' or 'either'), names (renamed parameters: { client_id: 'client_key' }),
 *   queryParams (the parameters may also come in the URL's query, ClickUp;
 *   query parameters of `url` itself are always required as given),
 *   headers (required request headers, name -> value or RegExp),
 *   redirectUri ('required' (default), 'optional'), refreshRedirectUri
 *   ('required': a refresh repeats the redirect_uri, Snowflake), answer(tokens, grant, kind)
 *   (the body of a good answer), error(code, kind) (`{ status, body }` of an
 *   OAuth error; default RFC 6749 §5.2 with HTTP 400), respond(status, body)
 *   (the Response; default JSON) }`
 * - `lifetime`: seconds an access token lives (null: it does not expire);
 *   `announces`: whether the answer says so (`expires_in`; default true)
 * - `refresh`: 'rotated' (a new refresh token each time, the old one dies),
 *   'reused' (the same one keeps working) or 'none' (no refresh token)
 * - `revoke`: null (none documented), or `{ url, method, clientAuth ('basic',
 *   'body', 'none' or 'either'), format, tokenParam, headers, scope ('grant':
 *   every token of the grant dies; 'token': only the one given; 'refresh':
 *   a refresh token takes the grant with it, an access token only itself),
 *   check(request, body),
 *   answer(found, { live }) (`live`: the token worked until this request) }`
 * - `accessPrefix`, `refreshPrefix`: what the provider's tokens look like
 * - `checksGrantedScopes`: the flow test checks that the connection's scopes
 *   are the ones granted (the answer's `scope` read with its separator)
 */
export function oauth2(spec) {
  const clientId = spec.clientId ?? `${spec.type}-client-id.apps.example`;
  const clientSecret = spec.clientSecret ?? `${spec.type}-client-secret-0123456789abcdef`;
  const codes = new Map();
  const grants = [];
  const problems = [];
  const revocations = [];
  const requests = [];
  const token = { clientAuth: 'either', format: 'form', names: {}, headers: {}, redirectUri: 'required', ...spec.token };
  const authorize = { clientIdParam: 'client_id', redirectParam: 'redirect_uri', scopeParam: 'scope', separator: ' ', pkce: 'optional', params: {}, ...spec.authorize };
  const lifetime = spec.lifetime === undefined ? 3600 : spec.lifetime;
  const announces = spec.announces ?? true;
  const refresh = spec.refresh ?? 'rotated';
  const name = (standard) => token.names[standard] ?? standard;

  const oauthError = (code, kind, description) => {
    const made = token.error?.(code, kind, description);
    if (made) return new Refusal(made.status, made.body, { problem: made.problem ?? code !== 'invalid_grant' });
    return new Refusal(code === 'invalid_client' ? 401 : 400, { error: code, error_description: description }, { problem: code !== 'invalid_grant' });
  };
  const fail = (description, code = 'invalid_request', kind = 'token') => oauthError(code, kind, description);

  function tokensOf(grant) {
    const now = Date.now();
    const access = { value: mint(spec.accessPrefix ?? 'at_'), expiresAt: lifetime === null ? null : now + lifetime * 1000, revoked: false };
    grant.access.push(access);
    return access;
  }

  function answerFor(grant, kind) {
    const access = tokensOf(grant);
    if (kind === 'code' && refresh !== 'none') grant.refresh = mint(spec.refreshPrefix ?? 'rt_');
    if (kind === 'refresh' && refresh === 'rotated') grant.refresh = mint(spec.refreshPrefix ?? 'rt_');
    const tokens = {
      access_token: access.value,
      token_type: 'Bearer',
      ...(lifetime !== null && announces ? { expires_in: lifetime } : {}),
      ...(grant.refresh && (kind === 'code' || refresh === 'rotated') ? { refresh_token: grant.refresh } : {}),
      ...(authorize.scopeParam ? { scope: grant.scopes.join(authorize.separator) } : {}),
    };
    return token.answer ? token.answer(tokens, grant, kind) : tokens;
  }

  /** Where the client authenticated, checked against what the provider accepts. */
  function clientOf(request, params, where, kind = 'token') {
    const basic = basicAuth(request);
    const inBody = params[name('client_id')] !== undefined || params[name('client_secret')] !== undefined;
    if (where === 'none') return;
    if (basic && inBody && where !== 'either') {
      throw fail('client credentials in two places', 'invalid_request', kind);
    }
    if (where === 'basic' && !basic) throw fail('client authentication must be HTTP Basic', 'invalid_client', kind);
    if (where === 'body' && !inBody) throw fail('client_id and client_secret must be in the body', 'invalid_client', kind);
    const id = basic ? basic.id : params[name('client_id')];
    const secret = basic ? basic.secret : params[name('client_secret')];
    if (id !== clientId || secret !== clientSecret) throw fail('unknown client or wrong secret', 'invalid_client', kind);
  }

  function checkHeaders(request, wanted, kind) {
    for (const [header, value] of Object.entries(wanted ?? {})) {
      const got = request.headers.get(header);
      const good = value instanceof RegExp ? value.test(got ?? '') : got === value;
      if (!good) throw fail(`header ${header} must be ${value}, not ${got}`, 'invalid_request', kind);
    }
  }

  async function tokenEndpoint(request) {
    if (request.method !== 'POST') throw fail(`${request.method} is not allowed`);
    checkHeaders(request, token.headers, 'token');
    // Query parameters of the documented token URL are required as given
    // (BambooHR's `request=token`).
    const query = new URL(request.url).searchParams;
    const fixed = new URL(token.url).searchParams;
    for (const [k, v] of fixed) if (query.get(k) !== v) throw fail(`the token URL must carry ${k}=${v}`);
    const body = await readBody(request);
    const formats = token.format === 'either' ? ['form', 'json'] : [token.format];
    const format = body.type === 'application/json' ? 'json' : body.type === 'application/x-www-form-urlencoded' ? 'form' : null;
    // `queryParams`: the provider also reads the parameters from the URL's
    // query (ClickUp documents them there); a body is then optional.
    const inQuery = token.queryParams ? Object.fromEntries([...query].filter(([k]) => !fixed.has(k))) : {};
    const bodyless = token.queryParams && body.text === '';
    if (!bodyless && (!format || !formats.includes(format) || !body.params)) throw fail(`the body must be ${formats.join(' or ')}, not ${body.type || 'untyped'}`);
    const params = { ...inQuery, ...(bodyless ? {} : body.params) };
    clientOf(request, params, token.clientAuth);
    if (params.grant_type === 'authorization_code') {
      const grant = codes.get(params.code);
      if (!grant || grant.used) throw oauthError('invalid_grant', 'code', 'the code is unknown or used');
      grant.used = true;
      if (token.redirectUri === 'required' && params.redirect_uri !== grant.redirectUri) {
        throw fail(`redirect_uri ${params.redirect_uri} does not match the authorization request's`, 'invalid_grant', 'code');
      }
      if (token.redirectUri === 'optional' && params.redirect_uri !== undefined && params.redirect_uri !== grant.redirectUri) {
        throw fail('redirect_uri does not match', 'invalid_grant', 'code');
      }
      if (grant.challenge) {
        if (!params.code_verifier || s256(params.code_verifier) !== grant.challenge) {
          throw fail('code_verifier does not match the code_challenge', 'invalid_grant', 'code');
        }
      } else if (params.code_verifier !== undefined && authorize.pkce !== 'none') {
        throw fail('a code_verifier without a code_challenge', 'invalid_request', 'code');
      }
      grants.push(grant);
      return respond(200, answerFor(grant, 'code'));
    }
    if (params.grant_type === 'refresh_token') {
      if (refresh === 'none') throw fail('refresh_token is not a grant of this provider', 'unsupported_grant_type', 'refresh');
      const grant = grants.find((g) => g.refresh === params.refresh_token && g.refresh);
      if (!grant || grant.revoked || grant.refreshRevoked) throw oauthError('invalid_grant', 'refresh', 'the refresh token is invalid, expired or revoked');
      if (token.refreshRedirectUri === 'required' && params.redirect_uri !== grant.redirectUri) {
        throw fail(`a refresh needs the redirect_uri of the authorization request, not ${params.redirect_uri}`, 'invalid_request', 'refresh');
      }
      grant.refreshes += 1;
      return respond(200, answerFor(grant, 'refresh'));
    }
    throw fail(`grant_type ${params.grant_type} is not supported`, 'unsupported_grant_type');
  }

  function respond(status, body) {
    return token.respond ? token.respond(status, body) : json(status, body);
  }

  async function revokeEndpoint(request) {
    const r = { method: 'POST', clientAuth: 'either', format: 'form', tokenParam: 'token', scope: 'grant', ...spec.revoke };
    if (request.method !== r.method) throw new Refusal(405, { error: 'invalid_request', error_description: `${request.method} is not allowed` });
    checkHeaders(request, r.headers, 'revoke');
    const body = await readBody(request);
    let value;
    if (r.check) {
      value = await r.check(request, body, { clientId, clientSecret });
    } else {
      const wanted = r.format === 'json' ? 'application/json' : 'application/x-www-form-urlencoded';
      if (body.type !== wanted || !body.params) throw new Refusal(400, { error: 'invalid_request', error_description: `the body must be ${wanted}` });
      clientOf(request, body.params, r.clientAuth, 'revoke');
      value = body.params[r.tokenParam];
    }
    const found = findToken(value);
    // Whether the token still worked before this request (a provider may
    // answer an already revoked token differently: `answer(found, { live })`).
    const live = Boolean(found) && !(found.grant.revoked || (found.kind === 'access' ? found.access.revoked : found.grant.refreshRevoked));
    revocations.push({ kind: found?.kind ?? 'unknown' });
    if (found) {
      const cascades = r.scope === 'grant' || (r.scope === 'refresh' && found.kind === 'refresh');
      if (cascades) found.grant.revoked = true;
      if (found.kind === 'access') found.access.revoked = true;
      else found.grant.refreshRevoked = true;
      if (found.kind === 'refresh' && cascades) found.grant.access.forEach((a) => { a.revoked = true; });
    }
    // RFC 7009 §2.2: an unknown token is answered 200 too.
    return r.answer ? r.answer(found, { live }) : new Response(null, { status: 200 });
  }

  function findToken(value) {
    for (const grant of [...grants, ...codes.values()]) {
      if (value && grant.refresh === value) return { kind: 'refresh', grant };
      const access = grant.access.find((a) => a.value === value);
      if (access) return { kind: 'access', grant, access };
    }
    return null;
  }

  const routes = [
    [endpoint(token.url), tokenEndpoint],
    // A RegExp `revoke.url` matches a path with a parameter (GitHub's /applications/{client_id}/token).
    ...(spec.revoke ? [[spec.revoke.url instanceof RegExp ? spec.revoke.url : endpoint(spec.revoke.url), revokeEndpoint]] : []),
    ...(spec.routes ?? []),
  ];

  return {
    type: spec.type,
    docs: spec.docs,
    clientId,
    clientSecret,
    scopes: spec.scopes ?? [],
    connectionConfig: spec.connectionConfig,
    expectedConfig: spec.expectedConfig ?? {},
    checksGrantedScopes: spec.checksGrantedScopes ?? false,
    refresh,
    revokes: Boolean(spec.revoke),
    problems,
    revocations,
    requests,
    grants,

    async fetch(request) {
      const at = endpoint(request.url);
      requests.push(`${request.method} ${at}`);
      const route = routes.find(([url]) => (typeof url === 'string' ? url === at : url.test(request.url)));
      if (!route) {
        problems.push(`an unexpected request: ${request.method} ${request.url}`);
        return json(404, { error: 'not_found' });
      }
      try {
        return await route[1](request);
      } catch (e) {
        if (!(e instanceof Refusal)) throw e;
        if (e.problem) problems.push(`${request.method} ${at} refused: ${e.message}`);
        return typeof e.body === 'string'
          ? new Response(e.body, { status: e.status, headers: e.headers })
          : token.respond && at === endpoint(token.url) ? token.respond(e.status, e.body) : json(e.status, e.body, e.headers);
      }
    },

    /** The user's browser at the authorization URL, consenting; the redirect back. */
    consent(url) {
      const u = new URL(url);
      const q = Object.fromEntries(u.searchParams);
      const refuse = (why) => {
        problems.push(`the authorization request was refused: ${why} (${url})`);
        throw new Error(`the authorization request was refused: ${why}`);
      };
      if (endpoint(url) !== endpoint(authorize.url)) refuse(`not the authorization endpoint ${authorize.url}`);
      for (const [k, v] of new URL(authorize.url).searchParams) if (q[k] !== v) refuse(`${k} must be ${v}`);
      if (q.response_type !== 'code' && !authorize.noResponseType) refuse('response_type must be code');
      if (q[authorize.clientIdParam] !== clientId) refuse(`${authorize.clientIdParam} must be the client id`);
      const redirectUri = q[authorize.redirectParam];
      if (!redirectUri) refuse(`${authorize.redirectParam} is required`);
      for (const [k, v] of Object.entries(authorize.params)) {
        const good = v instanceof RegExp ? v.test(q[k] ?? '') : q[k] === v;
        if (!good) refuse(`${k} must be ${v}, not ${q[k]}`);
      }
      let scopes = [];
      if (authorize.scopeParam) {
        const raw = q[authorize.scopeParam];
        if (raw === undefined && authorize.scopesRequired) refuse(`${authorize.scopeParam} is required`);
        scopes = (raw ?? '').split(authorize.separator).filter(Boolean);
        if (authorize.separator !== ' ' && scopes.some((s) => s.includes(' '))) refuse(`scopes are joined with "${authorize.separator}"`);
      }
      let challenge = null;
      if (q.code_challenge !== undefined && authorize.pkce !== 'none') {
        if (q.code_challenge_method !== 'S256') refuse('code_challenge_method must be S256');
        if (!/^[A-Za-z0-9_-]{43}$/.test(q.code_challenge)) refuse('code_challenge is not an S256 challenge');
        challenge = q.code_challenge;
      }
      if (authorize.pkce === 'required' && !challenge) refuse('PKCE (S256) is required');
      authorize.check?.(u, refuse);
      const code = mint('code_', 32);
      const grant = { code, redirectUri, challenge, scopes, query: q, access: [], refresh: null, refreshes: 0, revoked: false, used: false };
      codes.set(code, grant);
      const back = new URL(redirectUri);
      back.searchParams.set('code', code);
      if (q.state !== undefined) back.searchParams.set('state', q.state);
      for (const [k, v] of Object.entries(authorize.extras?.(grant) ?? {})) back.searchParams.set(k, v);
      return back.href;
    },

    accepts(accessToken) {
      for (const grant of grants) {
        const access = grant.access.find((a) => a.value === accessToken);
        if (access) {
          if (access.revoked || grant.revoked) return false;
          if (spec.refreshKillsAccess && access !== grant.access[grant.access.length - 1]) return false;
          return access.expiresAt === null || Date.now() < access.expiresAt;
        }
      }
      return false;
    },

    /** When the provider lets `accessToken` lapse (ms), or `null` for never. */
    expiresAt(accessToken) {
      for (const grant of grants) {
        const access = grant.access.find((a) => a.value === accessToken);
        if (access) return access.expiresAt;
      }
      return undefined;
    },

    userRevokes() {
      for (const grant of grants) {
        grant.revoked = true;
        grant.access.forEach((a) => { a.revoked = true; });
      }
    },
  };
}
