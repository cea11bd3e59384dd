import type { TenantId } from '@invoicing/core';

/** The realm roles the API knows (ADR 0003). */
export const ROLES = ['admin', 'accountant', 'viewer', 'integrator'] as const;
export type Role = (typeof ROLES)[number];

/** Who is calling, from a verified access token. */
export interface Principal {
  /** `sub`: the user, or the service account of a machine client. */
  readonly subject: string;
  /** A person's `preferred_username` (else their subject), a machine's client id (`azp`): what the logs and the approval trail name. */
  readonly name: string;
  readonly tenantId: TenantId;
  readonly roles: readonly Role[];
  /** `azp`: the client the token was issued to. */
  readonly clientId: string;
  /** A machine client signed in with its own credentials (a service account), not a person. */
  readonly machine: boolean;
  /** When the token expires (epoch ms, its `exp`): nothing the caller opened with it (a live stream) lasts longer. */
  readonly expiresAt: number;
}
