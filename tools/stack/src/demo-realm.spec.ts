import { describe, expect, it } from '@jest/globals';
import { demoRealm, demoUser, integratorClient } from './demo-realm';

describe('demoRealm', () => {
  describe('users', () => {
    it.each([
      ['acme', 'admin'],
      ['acme', 'viewer'],
      ['globex', 'accountant'],
    ])('has a %s %s with a password', (tenant, role) => {
      expect(demoUser(tenant, role).password).not.toBe('');
    });

    it('gives every user exactly one tenant of the two', () => {
      for (const user of demoRealm().users) expect(['acme', 'globex']).toContain(user.tenant);
    });
  });

  describe('integrators', () => {
    it.each(['acme', 'globex'])('has one integrator client with a secret and role integrator for %s', (tenant) => {
      expect(integratorClient(tenant)).toMatchObject({ clientSecret: expect.stringMatching(/.+/), roles: ['integrator'] });
      expect(demoRealm().integrators.filter((client) => client.tenant === tenant)).toHaveLength(1);
    });
  });
});
