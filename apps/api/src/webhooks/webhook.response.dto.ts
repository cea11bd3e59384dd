import { ApiProperty } from '@nestjs/swagger';

/** A registered webhook endpoint. Its secret is shown once, when it is made (and when it is rotated). */
export class WebhookEndpointDto {
  /** @example "0193a2b4-5c6d-7e8f-9a0b-1c2d3e4f5a90" */
  id!: string;
  /** @example "https://erp.example.com/hooks/invoicing" */
  url!: string;
  /** @example "ERP sync" */
  description!: string | null;
  /** @example ["invoice.issued", "invoice.paid"] */
  eventTypes!: string[];
  /** @example true */
  enabled!: boolean;
  /**
   * Why deliveries are stopped: `by_request`, or `failing` when every delivery failed for the whole retry window
   * (3 days); null while enabled. Enable it again with PATCH once the receiver works.
   * @example null
   */
  disabledReason!: 'by_request' | 'failing' | null;
  /** When the current secret was made. */
  secretCreatedAt!: Date;
  /** Until when the previous secret also signs deliveries, after a rotation; null when none does. @example null */
  previousSecretExpiresAt!: Date | null;
  /** The last successful delivery (to the minute). @example null */
  lastSuccessAt!: Date | null;
  createdAt!: Date;
  updatedAt!: Date;
  /** @example 1 */
  version!: number;
}

/** An endpoint just registered, or whose secret was just rotated: the only answers that show the secret. */
export class WebhookEndpointWithSecretDto extends WebhookEndpointDto {
  /**
   * The signing secret (Standard Webhooks: `whsec_` then base64). Keep it: it is not shown again.
   * @example "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
   */
  secret!: string;
}

/** One attempt of a delivery. */
export class DeliveryAttemptDto {
  at!: Date;
  /** The receiver's HTTP status; null when none came (refused, timed out, address not allowed). @example 500 */
  status!: number | null;
  /** @example 35 */
  latencyMs!: number;
  /** Why it failed. @example "answered 500" */
  error!: string | null;
  /** The start of the receiver's answer (at most 500 characters), as it came. @example null */
  response!: string | null;
}

/** One event sent (or being sent) to one endpoint. */
export class WebhookDeliveryDto {
  /** The event's sequence in the tenant's log: with the endpoint, it names the delivery. @example 42 */
  sequence!: number;
  /** The event's id: the `webhook-id` header of every attempt. @example "acme/invoice/0193a2b4-5c6d-7e8f-9a0b-1c2d3e4f5a7b/2/0" */
  eventId!: string;
  /** The event's type (see the Event schema: one per type). */
  // The example is the decorator's, not a TSDoc `@example` (which metadata.ts would hold as a string value): event
  // types are dotted like error codes, and the errors page's spec reads such values as codes (see event-catalogue.ts).
  @ApiProperty({ example: 'invoice.issued' })
  eventType!: string;
  /** @example "0193a2b4-5c6d-7e8f-9a0b-1c2d3e4f5a7b" */
  aggregateId!: string;
  /**
   * `pending` while it waits for its first attempt or a retry; `delivered` once the receiver answered 2xx; `failed`
   * when it was tried for the whole retry window without success.
   * @example "delivered"
   */
  status!: 'pending' | 'delivered' | 'failed';
  /** @example 1 */
  attempts!: number;
  createdAt!: Date;
  /** When it is tried next, while pending. @example null */
  nextAttemptAt!: Date | null;
  /** @example null */
  deliveredAt!: Date | null;
  /** The most recent attempts (at most 20), oldest first. */
  history!: DeliveryAttemptDto[];
}

/** A delivery with the exact body that was (or will be) sent. */
export class WebhookDeliveryDetailDto extends WebhookDeliveryDto {
  /** The request body as signed: the event, as the change feed shows it. */
  body!: string;
}

export class WebhookEndpointPageDto {
  items!: WebhookEndpointDto[];
  /** @example null */
  nextCursor!: string | null;
}

export class WebhookDeliveryPageDto {
  items!: WebhookDeliveryDto[];
  /** Pass back as `cursor` for older deliveries; null on the last page. @example null */
  nextCursor!: string | null;
}
