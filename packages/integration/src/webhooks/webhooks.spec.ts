import { Webhook } from 'standardwebhooks';
import { STRICT_URL_POLICY, WebhookUrlError, assertPublicAddress, checkEndpointUrl } from './endpoint-url';
import { WebhookVerificationError, generateWebhookSecret, signWebhook, verifyWebhook } from './signature';
import { DEFAULT_RETRY_POLICY, endpointWants, nextAttemptAt, signingSecrets, type WebhookEndpoint } from './webhook';

describe('webhook signatures', () => {
  const body = JSON.stringify({ id: 'acme/inv-1/2/0', type: 'invoice.issued', payload: { number: 'INV-000001' } });
  const at = new Date();

  it('sign as Standard Webhooks specifies: its reference library verifies them, and ours verifies its', () => {
    const secret = generateWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const headers = signWebhook([secret], { id: 'msg-1', timestamp: at, body });
    expect(new Webhook(secret).verify(body, { ...headers })).toEqual(JSON.parse(body));
    const theirs = new Webhook(secret).sign('msg-1', at, body);
    expect(verifyWebhook(secret, { 'webhook-id': 'msg-1', 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': theirs }, body)).toEqual(JSON.parse(body));
  });

  it('carry one signature per secret while a rotated secret overlaps, either of which verifies', () => {
    const [old, current] = [generateWebhookSecret(), generateWebhookSecret()];
    const headers = signWebhook([current, old], { id: 'msg-2', timestamp: at, body });
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    for (const secret of [old, current]) expect(verifyWebhook(secret, headers, body)).toEqual(JSON.parse(body));
    expect(() => verifyWebhook(generateWebhookSecret(), headers, body)).toThrow(WebhookVerificationError);
  });

  it('refuse a changed body, another id, a stale or future timestamp, and missing headers, each with its code', () => {
    const secret = generateWebhookSecret();
    const headers = signWebhook([secret], { id: 'msg-3', timestamp: at, body });
    const code = (run: () => unknown) => {
      try {
        run();
        return 'accepted';
      } catch (error) {
        return (error as WebhookVerificationError).code;
      }
    };
    expect(code(() => verifyWebhook(secret, headers, body.replace('INV-000001', 'INV-000002')))).toBe('webhook.bad_signature');
    expect(code(() => verifyWebhook(secret, { ...headers, 'webhook-id': 'msg-4' }, body))).toBe('webhook.bad_signature');
    expect(code(() => verifyWebhook(secret, headers, body, { now: new Date(at.getTime() + 301_000) }))).toBe('webhook.timestamp_out_of_tolerance');
    expect(code(() => verifyWebhook(secret, headers, body, { now: new Date(at.getTime() - 301_000) }))).toBe('webhook.timestamp_out_of_tolerance');
    expect(code(() => verifyWebhook(secret, { 'webhook-id': 'msg-3' }, body))).toBe('webhook.missing_headers');
    // Header names in any case, as Node and frameworks hand them over.
    expect(code(() => verifyWebhook(secret, { 'Webhook-Id': headers['webhook-id'], 'WEBHOOK-TIMESTAMP': headers['webhook-timestamp'], 'webhook-signature': [headers['webhook-signature']] }, body))).toBe('accepted');
  });
});

describe('webhook URLs', () => {
  const code = (url: string, policy = STRICT_URL_POLICY) => {
    try {
      checkEndpointUrl(url, policy);
      return 'accepted';
    } catch (error) {
      return (error as WebhookUrlError).code;
    }
  };

  it('take https on public addresses, and refuse anything else under the strict policy', () => {
    expect(code('https://hooks.example.com/invoicing?x=1')).toBe('accepted');
    expect(code('https://93.184.216.34/hooks')).toBe('accepted');
    expect(code('http://hooks.example.com/')).toBe('webhook_endpoint.insecure_url');
    expect(code('ftp://hooks.example.com/')).toBe('webhook_endpoint.invalid_url');
    expect(code('not a url')).toBe('webhook_endpoint.invalid_url');
    expect(code('https://user:secret@hooks.example.com/')).toBe('webhook_endpoint.invalid_url');
    expect(code(`https://hooks.example.com/${'a'.repeat(2100)}`)).toBe('webhook_endpoint.invalid_url');
    for (const host of ['127.0.0.1', '10.1.2.3', '172.16.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '[::1]', '[fc00::1]', '[fe80::1]', '[::ffff:127.0.0.1]', 'localhost', 'api.localhost']) {
      expect([host, code(`https://${host}/hooks`)]).toEqual([host, 'webhook_endpoint.private_address']);
    }
  });

  it('take plain http to loopback only where the policy allows it', () => {
    expect(code('http://127.0.0.1:9000/hooks', { allowHttp: true, allowPrivateAddresses: true })).toBe('accepted');
    expect(code('http://127.0.0.1:9000/hooks', { allowHttp: true, allowPrivateAddresses: false })).toBe('webhook_endpoint.private_address');
    expect(() => assertPublicAddress('::ffff:10.0.0.1', STRICT_URL_POLICY)).toThrow(/private address/);
    // IPv4-compatible (::/96), which ipaddr.js ranks unicast.
    expect(() => assertPublicAddress('::7f00:1', STRICT_URL_POLICY)).toThrow(/IPv4-compatible/);
    expect(() => assertPublicAddress('::808:808', STRICT_URL_POLICY)).toThrow(/IPv4-compatible/);
    expect(() => assertPublicAddress('2001:4860:4860::8888', STRICT_URL_POLICY)).not.toThrow();
    expect(() => assertPublicAddress('2606:4700::1111', STRICT_URL_POLICY)).not.toThrow();
  });
});

describe('webhook retries and endpoints', () => {
  const start = new Date('2026-03-01T00:00:00Z');

  it('double the wait after each failure, with jitter, up to the cap, and stop after the window', () => {
    const after = (attempts: number, random: number, now = start) => (nextAttemptAt(DEFAULT_RETRY_POLICY, attempts, start, now, () => random)?.getTime() ?? 0) - now.getTime();
    expect([after(1, 1), after(2, 1), after(3, 1)]).toEqual([10_000, 20_000, 40_000]);
    expect([after(1, 0), after(3, 0)]).toEqual([5_000, 20_000]);
    expect(after(30, 1)).toBe(6 * 3600_000);
    const late = new Date(start.getTime() + 3 * 24 * 3600_000 - 1000);
    expect(nextAttemptAt(DEFAULT_RETRY_POLICY, 20, start, late, () => 1)).toBeUndefined();
    // Three days of failures take about twenty attempts.
    let now = start;
    let attempts = 0;
    for (let next = nextAttemptAt(DEFAULT_RETRY_POLICY, 1, start, now, () => 0.75); next; next = nextAttemptAt(DEFAULT_RETRY_POLICY, attempts + 1, start, now, () => 0.75)) {
      now = next;
      attempts += 1;
    }
    expect(attempts).toBeGreaterThan(15);
    expect(attempts).toBeLessThan(30);
  });

  it('deliver the types an enabled endpoint asked for, signed with the secrets still in force', () => {
    const endpoint: WebhookEndpoint = {
      tenantId: 'acme',
      id: 'ep',
      version: 1,
      url: 'https://hooks.example.com',
      eventTypes: ['invoice.issued'],
      enabled: true,
      secrets: [
        { secret: 'new', createdAt: start },
        { secret: 'old', createdAt: start, expiresAt: new Date(start.getTime() + 3600_000) },
      ],
      createdAt: start,
      updatedAt: start,
    };
    expect([endpointWants(endpoint, 'invoice.issued'), endpointWants(endpoint, 'invoice.paid')]).toEqual([true, false]);
    expect(endpointWants({ ...endpoint, eventTypes: ['*'] }, 'invoice.paid')).toBe(true);
    expect(endpointWants({ ...endpoint, enabled: false }, 'invoice.issued')).toBe(false);
    expect(signingSecrets(endpoint, start)).toEqual(['new', 'old']);
    expect(signingSecrets(endpoint, new Date(start.getTime() + 3600_000))).toEqual(['new']);
  });
});
