import type { WebhookUrlPolicy } from '@invoicing/integration';
import type { ApiConfig } from '../config';

/**
 * What a tenant's endpoints may be: https on a public address, unless the deployment allows the tenant plain http
 * and private addresses (`WEBHOOK_INSECURE_TENANTS`: development, tests, an on-premises receiver).
 */
export function webhookUrlPolicy(config: ApiConfig, tenantId: string): WebhookUrlPolicy {
  const insecure = config.webhooks.insecureTenants.includes('*') || config.webhooks.insecureTenants.includes(tenantId);
  return { allowHttp: insecure, allowPrivateAddresses: insecure };
}
