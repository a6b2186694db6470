// Stripe in `connectors push | pull | list | remove`, as Base44's CLI does it:
// a `stripe` connector file means "install Stripe", the server's
// `payments/stripe/status` says whether it is. Installing takes the key from
// STRIPE_SECRET_KEY or, in a terminal, a hidden prompt (`PUT
// payments/stripe/key`); the other way is the claim URL of `POST
// payments/stripe/install`, opened in a browser while the status is polled
// like a consent. The key is never printed: the output cuts it out too.
import { isInteractive, oneLine, sleep, spinner } from './common.js';

export const STRIPE = 'stripe';
const POLL_MS = 2_000;
const MAX_PROMPTS = 3;

/** `{ stripe_mode }` of the server, or `null` when it serves no Stripe (an error when `strict`). */
export async function stripeStatus(client, { strict = false } = {}) {
  try {
    const answer = await client.request('GET', 'payments/stripe/status');
    return { stripe_mode: answer.stripe_mode ?? null };
  } catch (error) {
    if (!strict && (error?.code === 'UNKNOWN_CONNECTOR' || error?.code === 'NOT_FOUND' || error?.details?.status === 404)) return null;
    throw error;
  }
}

const describeMode = (mode) => (mode ? `${mode} mode` : 'no key');

/** `DELETE payments/stripe`. */
export async function removeStripe(client) {
  await client.request('DELETE', 'payments/stripe');
  return { type: STRIPE, result: 'removed', revocation: null };
}

async function putKey(client, key, out) {
  out.redact(key);
  const answer = await client.request('PUT', 'payments/stripe/key', { secret_key: key });
  return answer.stripe_mode ?? null;
}

/** Polls the status until a key is kept, or the timeout. */
async function waitForClaim(client, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await sleep(Math.min(POLL_MS, Math.max(0, deadline - Date.now())));
    try {
      const status = await stripeStatus(client, { strict: true });
      if (status.stripe_mode) return { ok: true, stripe_mode: status.stripe_mode };
    } catch (error) {
      if (error?.code !== 'NETWORK_ERROR') return { ok: false, code: error.code, message: oneLine(error.message) };
    }
    if (Date.now() >= deadline) {
      return { ok: false, code: 'CONSENT_TIMEOUT', message: `No Stripe key was given at the claim URL within ${Math.round(timeoutMs / 1000)} s` };
    }
  }
}

/**
 * Push's Stripe step for a local `stripe` file: synced when the server keeps
 * a key, else installed with STRIPE_SECRET_KEY, the hidden prompt, or the
 * claim URL. Answers a push result (`synced`, `connected` or `failed`).
 */
export async function pushStripe(client, { opts, out, timeoutMs, env = process.env, openBrowser }) {
  let status;
  try {
    status = await stripeStatus(client, { strict: true });
  } catch (error) {
    out.line(`✗ stripe: ${error.code}: ${oneLine(error.message)}`);
    return { type: STRIPE, result: 'failed', code: error.code, message: oneLine(error.message) };
  }
  if (status.stripe_mode) {
    out.line(`✓ stripe: synced (installed, ${describeMode(status.stripe_mode)})`);
    return { type: STRIPE, result: 'synced', stripe_mode: status.stripe_mode };
  }

  const fromEnv = env.STRIPE_SECRET_KEY?.trim();
  if (fromEnv) {
    try {
      const mode = await putKey(client, fromEnv, out);
      out.line(`✓ stripe: installed with STRIPE_SECRET_KEY (${describeMode(mode)})`);
      return { type: STRIPE, result: 'connected', stripe_mode: mode };
    } catch (error) {
      out.line(`✗ stripe: ${error.code}: ${oneLine(error.message)}`);
      return { type: STRIPE, result: 'failed', code: error.code, message: oneLine(error.message) };
    }
  }

  let install;
  try {
    install = await client.request('POST', 'payments/stripe/install');
  } catch (error) {
    out.line(`✗ stripe: ${error.code}: ${oneLine(error.message)}`);
    return { type: STRIPE, result: 'failed', code: error.code, message: oneLine(error.message) };
  }
  if (install.already_installed) {
    const again = await stripeStatus(client).catch(() => null);
    out.line(`✓ stripe: synced (installed${again?.stripe_mode ? `, ${describeMode(again.stripe_mode)}` : ''})`);
    return { type: STRIPE, result: 'synced', stripe_mode: again?.stripe_mode ?? null };
  }
  if (typeof install.claim_url !== 'string') {
    out.line('✗ stripe: the server answered no claim URL');
    return { type: STRIPE, result: 'failed', code: 'BAD_RESPONSE', message: 'The server answered no claim URL' };
  }
  out.event({ event: 'claim', type: STRIPE, url: install.claim_url });

  if (isInteractive(out)) {
    out.line('→ stripe: paste a Stripe secret key (sk_test_..., sk_live_... or rk_...) below, or leave it empty and');
    out.line('  open this URL to paste it in a browser instead:');
    out.line(`  ${install.claim_url}`);
    const { password, isCancel } = await import('@clack/prompts');
    for (let attempt = 1; ; attempt++) {
      const answer = await password({ message: 'Stripe secret key (hidden; empty: use the URL above)' });
      if (isCancel(answer)) {
        out.line('✗ stripe: cancelled');
        return { type: STRIPE, result: 'failed', code: 'CANCELLED', message: 'Cancelled' };
      }
      const key = typeof answer === 'string' ? answer.trim() : '';
      if (key === '') break;
      try {
        const mode = await putKey(client, key, out);
        out.line(`✓ stripe: installed (${describeMode(mode)})`);
        return { type: STRIPE, result: 'connected', stripe_mode: mode };
      } catch (error) {
        const retry = attempt < MAX_PROMPTS && (error?.code === 'STRIPE_KEY_INVALID' || error?.code === 'STRIPE_KEY_REFUSED');
        out.line(`✗ stripe: ${error.code}: ${oneLine(error.message)}${retry ? ' (try again, or leave it empty)' : ''}`);
        if (!retry) return { type: STRIPE, result: 'failed', code: error.code, message: oneLine(error.message) };
      }
    }
  } else {
    out.line('→ stripe: open this URL to give the server a Stripe secret key (or set STRIPE_SECRET_KEY and push again):');
    out.line(`  ${install.claim_url}`);
  }
  await openBrowser(install.claim_url, opts, out);
  const spin = await spinner(out);
  spin.start(`Waiting for a Stripe key at the claim URL (up to ${Math.round(timeoutMs / 1000)} s)`);
  const done = await waitForClaim(client, timeoutMs);
  if (done.ok) {
    spin.stop(`✓ stripe: installed (${describeMode(done.stripe_mode)})`);
    return { type: STRIPE, result: 'connected', stripe_mode: done.stripe_mode };
  }
  spin.stop(`✗ stripe: ${done.code}: ${done.message}`, true);
  return { type: STRIPE, result: 'failed', code: done.code, message: done.message };
}

/** The text of a pulled `stripe.jsonc` (as Base44's CLI writes it: the type alone). */
export const stripeFileText = () => `${JSON.stringify({ type: STRIPE }, null, 2)}\n`;
