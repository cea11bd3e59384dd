import ipaddr from 'ipaddr.js';
import { isIP } from 'node:net';

/** Why a webhook URL or the address it resolves to is refused. */
export class WebhookUrlError extends Error {
  override readonly name = 'WebhookUrlError';
  constructor(
    readonly code: 'webhook_endpoint.invalid_url' | 'webhook_endpoint.insecure_url' | 'webhook_endpoint.private_address',
    message: string,
  ) {
    super(message);
  }
}

/** What a tenant's deployment allows its endpoints to be. */
export interface WebhookUrlPolicy {
  /** Plain `http:` URLs (development only; production requires `https:`). */
  readonly allowHttp: boolean;
  /** Loopback, private, link-local and other non-public addresses (development and tests only). */
  readonly allowPrivateAddresses: boolean;
}

/** The strict policy: https only, public addresses only. */
export const STRICT_URL_POLICY: WebhookUrlPolicy = { allowHttp: false, allowPrivateAddresses: false };

/**
 * Refuses an endpoint URL that is not absolute http(s), carries credentials, is plain http where the policy wants
 * https, or names a non-public address literally (`http://127.0.0.1`, `http://[::1]`, `http://localhost`). Host
 * names are checked again against every address they resolve to at each delivery ({@link assertPublicAddress}).
 * @throws WebhookUrlError
 */
export function checkEndpointUrl(value: string, policy: WebhookUrlPolicy): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new WebhookUrlError('webhook_endpoint.invalid_url', `${value} is not an absolute URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new WebhookUrlError('webhook_endpoint.invalid_url', `${url.protocol} is not http or https`);
  if (url.username || url.password) throw new WebhookUrlError('webhook_endpoint.invalid_url', 'a webhook URL carries no credentials; deliveries are signed instead');
  if (value.length > 2048) throw new WebhookUrlError('webhook_endpoint.invalid_url', 'a webhook URL has at most 2048 characters');
  if (url.protocol === 'http:' && !policy.allowHttp) throw new WebhookUrlError('webhook_endpoint.insecure_url', 'webhook URLs must use https');
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!policy.allowPrivateAddresses) {
    if (host === 'localhost' || host.endsWith('.localhost')) throw new WebhookUrlError('webhook_endpoint.private_address', `${host} is not a public address`);
    if (isIP(host)) assertPublicAddress(host, policy);
  }
  return url;
}

/**
 * Refuses an address that is not public unicast: loopback, private (RFC 1918, unique local), link-local (cloud
 * metadata services live at 169.254.169.254), carrier-grade NAT, multicast, reserved, unspecified; IPv4-mapped IPv6
 * addresses are judged as the IPv4 address they carry.
 * @throws WebhookUrlError
 */
export function assertPublicAddress(address: string, policy: WebhookUrlPolicy): void {
  if (policy.allowPrivateAddresses) return;
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  // IPv4-compatible addresses (::a.b.c.d, deprecated by RFC 4291): ipaddr.js calls them unicast; never a receiver's.
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).parts.slice(0, 6).every((part) => part === 0)) {
    throw new WebhookUrlError('webhook_endpoint.private_address', `${address} is an IPv4-compatible address, not a public one`);
  }
  const range = parsed.range();
  if (range !== 'unicast') throw new WebhookUrlError('webhook_endpoint.private_address', `${address} is a ${range} address, not a public one`);
}
