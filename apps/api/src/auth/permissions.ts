import { SetMetadata } from '@nestjs/common';
import type { Role } from './principal';

/** What an endpoint needs; roles grant permissions (docs/tenancy.md, "Roles"). */
export const PERMISSIONS = [
  'read',
  'partners:write',
  'marketables:write',
  'partnerships:write',
  'invoices:create',
  'invoices:write',
  'payments:write',
  'usage:write',
  'billing:run',
  'imports:write',
  'integrity:check',
  'webhooks:manage',
  'audit:read',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

/**
 * viewer reads (the change feed too); accountant writes invoices and payments, runs billing (a run makes invoices) and
 * imports accounts-receivable files; integrator (machine clients) reads, creates invoices, sends usage, imports files
 * and manages webhook endpoints; admin does everything, including partners, partnerships (and their billing plans)
 * and marketables, reads the audit trail and the relay's metrics, and runs the invariant checker on the tenant.
 */
export const ROLE_PERMISSIONS: Readonly<Record<Role, readonly Permission[]>> = {
  admin: PERMISSIONS,
  accountant: ['read', 'invoices:create', 'invoices:write', 'payments:write', 'billing:run', 'imports:write'],
  viewer: ['read'],
  integrator: ['read', 'invoices:create', 'usage:write', 'imports:write', 'webhooks:manage'],
};

export function isAllowed(roles: readonly Role[], permission: Permission): boolean {
  return roles.some((role) => ROLE_PERMISSIONS[role].includes(permission));
}

export const PERMISSION_KEY = 'invoicing:permission';
export const PUBLIC_KEY = 'invoicing:public';

/** The permission an endpoint requires (an endpoint without one requires `read`). */
export const Requires = (permission: Permission) => SetMetadata(PERMISSION_KEY, permission);

/** An endpoint anyone may call without a token (health, docs). */
export const Public = () => SetMetadata(PUBLIC_KEY, true);
