import { WebhookEndpointsController } from './webhook-endpoints.controller';

export const WEBHOOKS_CONTROLLERS = [WebhookEndpointsController];
export { webhookUrlPolicy } from './webhook-url-policy';
