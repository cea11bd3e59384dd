import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { assertPublicAddress, checkEndpointUrl, type WebhookUrlPolicy } from './endpoint-url';

/** What one delivery attempt came to. */
export interface DeliveryAttemptResult {
  /** The HTTP status, absent when no response came (refused, timed out, address refused). */
  readonly status?: number;
  readonly ok: boolean;
  readonly latencyMs: number;
  /** Why it failed, for the delivery log. */
  readonly error?: string;
  /** The start of the response body, for the delivery log. */
  readonly responseExcerpt?: string;
}

export interface DeliveryLimits {
  readonly timeoutMs: number;
  /** Bytes of the response read at most; the rest is discarded and the connection closed. */
  readonly maxResponseBytes: number;
}

export const DEFAULT_DELIVERY_LIMITS: DeliveryLimits = { timeoutMs: 10_000, maxResponseBytes: 64 * 1024 };

/**
 * POSTs one signed delivery. The receiver's address is checked when the connection is made, on every address the host
 * name resolves to, so that a name re-pointed at a private address after it was registered is refused (DNS
 * rebinding). Redirects are not followed (a 3xx is a failure), the whole exchange has a deadline, and at most
 * `maxResponseBytes` of the answer are read. Any 2xx is success.
 */
export async function postDelivery(url: string, headers: Readonly<Record<string, string>>, body: string, policy: WebhookUrlPolicy, limits: DeliveryLimits = DEFAULT_DELIVERY_LIMITS): Promise<DeliveryAttemptResult> {
  const started = performance.now();
  const elapsed = (): number => Math.round(performance.now() - started);
  let target: URL;
  try {
    target = checkEndpointUrl(url, policy);
  } catch (error) {
    return { ok: false, latencyMs: elapsed(), error: (error as Error).message };
  }
  const lookup: LookupFunction = (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, '', 0);
      const all = addresses as unknown as LookupAddress[];
      try {
        for (const address of all) assertPublicAddress(address.address, policy);
      } catch (refused) {
        return callback(refused as Error, '', 0);
      }
      if (options.all) return (callback as unknown as (error: null, addresses: LookupAddress[]) => void)(null, all);
      const first = all[0] as LookupAddress;
      callback(null, first.address, first.family);
    });
  };
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<DeliveryAttemptResult>((resolve) => {
    let settled = false;
    const finish = (result: DeliveryAttemptResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      resolve(result);
    };
    const request = send(
      target,
      {
        method: 'POST',
        lookup,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'user-agent': 'invoicing-webhooks/1', ...headers },
        agent: false,
      },
      (response: IncomingMessage) => {
        const status = response.statusCode ?? 0;
        const chunks: Buffer[] = [];
        let received = 0;
        const done = (): void => {
          const excerpt = Buffer.concat(chunks).toString('utf8').slice(0, 500);
          const ok = status >= 200 && status < 300;
          finish({ status, ok, latencyMs: elapsed(), ...(ok ? {} : { error: status >= 300 && status < 400 ? `redirect (${status}) not followed` : `answered ${status}` }), ...(excerpt ? { responseExcerpt: excerpt } : {}) });
        };
        response.on('data', (chunk: Buffer) => {
          if (received < limits.maxResponseBytes) chunks.push(chunk.subarray(0, limits.maxResponseBytes - received));
          received += chunk.length;
          if (received >= limits.maxResponseBytes) {
            done();
            response.destroy();
          }
        });
        response.on('end', done);
        response.on('error', done);
      },
    );
    const deadline = setTimeout(() => {
      finish({ ok: false, latencyMs: elapsed(), error: `no answer within ${limits.timeoutMs} ms` });
      request.destroy();
    }, limits.timeoutMs);
    request.on('error', (error) => finish({ ok: false, latencyMs: elapsed(), error: error.message }));
    request.end(body);
  });
}
