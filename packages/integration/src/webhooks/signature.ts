import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Webhook signatures as the Standard Webhooks specification defines them (https://www.standardwebhooks.com), which
 * Svix, and libraries in every language, verify: the headers `webhook-id`, `webhook-timestamp` (Unix seconds) and
 * `webhook-signature`, a space-separated list of `v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">`, one per
 * secret in use (two while a rotated secret overlaps the new one). A secret is `whsec_` and 32 random bytes in base64.
 */
export const SECRET_PREFIX = 'whsec_';

// A type, not an interface: headers are handed on as a record of strings (an interface has no index signature).
export type SignedHeaders = {
  readonly 'webhook-id': string;
  readonly 'webhook-timestamp': string;
  readonly 'webhook-signature': string;
};

/** A new endpoint secret. */
export function generateWebhookSecret(): string {
  return SECRET_PREFIX + randomBytes(32).toString('base64');
}

function keyOf(secret: string): Buffer {
  return Buffer.from(secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret, 'base64');
}

function signatureOf(secret: string, id: string, timestamp: number, body: string): string {
  return `v1,${createHmac('sha256', keyOf(secret)).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}

/** The headers of one delivery, signed with every secret given (the current one first). */
export function signWebhook(secrets: readonly string[], message: { readonly id: string; readonly timestamp: Date; readonly body: string }): SignedHeaders {
  const timestamp = Math.floor(message.timestamp.getTime() / 1000);
  return {
    'webhook-id': message.id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': secrets.map((secret) => signatureOf(secret, message.id, timestamp, message.body)).join(' '),
  };
}

/** Why a delivery was refused by {@link verifyWebhook}. */
export class WebhookVerificationError extends Error {
  override readonly name = 'WebhookVerificationError';
  constructor(
    readonly code: 'webhook.missing_headers' | 'webhook.timestamp_out_of_tolerance' | 'webhook.bad_signature',
    message: string,
  ) {
    super(message);
  }
}

export interface VerifyOptions {
  /** How far the timestamp may be from now, either way (default 300 s), so that a captured delivery cannot be replayed later. */
  readonly toleranceSeconds?: number;
  readonly now?: Date;
}

/**
 * For receivers: checks that a delivery was signed with `secret` (the one shown when the endpoint was created or its
 * secret rotated) and is recent, and returns the parsed event. Pass the body exactly as received (the raw string,
 * not re-serialised JSON), and the request's headers (any case).
 * @throws WebhookVerificationError
 */
export function verifyWebhook<Event = unknown>(secret: string, headers: Readonly<Record<string, string | readonly string[] | undefined>>, body: string, options: VerifyOptions = {}): Event {
  const header = (name: string): string | undefined => {
    const entry = Object.entries(headers).find(([key]) => key.toLowerCase() === name)?.[1];
    return Array.isArray(entry) ? entry[0] : (entry as string | undefined);
  };
  const id = header('webhook-id');
  const timestamp = header('webhook-timestamp');
  const signatures = header('webhook-signature');
  if (!id || !timestamp || !signatures) throw new WebhookVerificationError('webhook.missing_headers', 'webhook-id, webhook-timestamp and webhook-signature are required');
  const seconds = Number(timestamp);
  const now = (options.now ?? new Date()).getTime() / 1000;
  if (!/^\d+$/.test(timestamp) || Math.abs(now - seconds) > (options.toleranceSeconds ?? 300)) {
    throw new WebhookVerificationError('webhook.timestamp_out_of_tolerance', `webhook-timestamp ${timestamp} is too far from now`);
  }
  const expected = Buffer.from(signatureOf(secret, id, seconds, body));
  const matches = signatures.split(' ').some((candidate) => {
    const given = Buffer.from(candidate);
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  if (!matches) throw new WebhookVerificationError('webhook.bad_signature', 'no signature of the delivery matches the secret');
  return JSON.parse(body) as Event;
}
