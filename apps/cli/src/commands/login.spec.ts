import { describe, expect, it } from '@jest/globals';
import { trustedTokenUrl } from './login';

// Which token endpoint `login` sends the client secret to: the API's OpenAPI document is not authenticated (a plain
// http API on loopback may be anyone's process), so what it names is trusted only where the user's own settings vouch
// for it.
describe('trustedTokenUrl', () => {
  const untrusted = { code: 'cli.signin_untrusted' };
  const realm = 'https://auth.example.com/realms/invoicing';

  it('takes a token endpoint under an issuer the user named, over https or http on loopback', () => {
    for (const [tokenUrl, apiUrl, issuer] of [
      [`${realm}/protocol/openid-connect/token`, 'https://api.example.com', realm],
      [`${realm}/protocol/openid-connect/token`, 'https://api.example.com', `${realm}/`],
      ['http://127.0.0.1:36143/realms/invoicing/protocol/openid-connect/token', 'http://localhost:3000', 'http://127.0.0.1:36143/realms/invoicing'],
      ['http://localhost:8080/realms/invoicing/protocol/openid-connect/token', 'http://localhost:3000', 'http://localhost:8080'],
      ['http://[::1]:8080/token', 'http://localhost:3000', 'http://[::1]:8080'],
    ] as const) {
      expect(trustedTokenUrl(tokenUrl, apiUrl, [issuer])).toBe(tokenUrl);
    }
  });

  it('takes a token endpoint on the origin of an https API, which its certificate vouches for', () => {
    expect(trustedTokenUrl('https://api.example.com/realms/invoicing/protocol/openid-connect/token', 'https://api.example.com', [])).toBe('https://api.example.com/realms/invoicing/protocol/openid-connect/token');
  });

  it('refuses a token endpoint on the origin of a plain http API: anyone may listen on its port', () => {
    expect(() => trustedTokenUrl('http://127.0.0.1:3000/steal', 'http://127.0.0.1:3000', [])).toThrow(expect.objectContaining(untrusted));
    expect(() => trustedTokenUrl('http://localhost:3000/token', 'http://localhost:3000', ['http://127.0.0.1:36143/realms/invoicing'])).toThrow(expect.objectContaining(untrusted));
  });

  it('refuses a token endpoint on another origin than the issuers named, or beside their path', () => {
    for (const tokenUrl of [
      'https://evil.example.com/realms/invoicing/protocol/openid-connect/token',
      'https://auth.example.com:8443/realms/invoicing/protocol/openid-connect/token',
      'https://auth.example.com/realms/invoicing-evil/protocol/openid-connect/token',
      'https://auth.example.com/realms/invoicing/../evil/protocol/openid-connect/token',
      'https://auth.example.com/realms/invoicing%2F..%2Fevil/token',
      'https://auth.example.com.evil.example/realms/invoicing/token',
      'https://auth.example.com@evil.example/realms/invoicing/token',
      'https://api.example.com.evil.example/token',
    ]) {
      expect(() => trustedTokenUrl(tokenUrl, 'https://api.example.com', [realm])).toThrow(expect.objectContaining(untrusted));
    }
  });

  it('refuses plain http off loopback, even under an issuer named, and what is not an http URL', () => {
    for (const [tokenUrl, issuer] of [
      ['http://auth.example.com/realms/invoicing/token', 'http://auth.example.com/realms/invoicing'],
      ['http://10.0.0.5:8080/realms/invoicing/token', 'http://10.0.0.5:8080/realms/invoicing'],
      ['http://localhost.evil.example/token', 'http://localhost.evil.example'],
      ['ftp://127.0.0.1/token', 'ftp://127.0.0.1'],
      ['not a url', realm],
    ] as const) {
      expect(() => trustedTokenUrl(tokenUrl, 'http://localhost:3000', [issuer])).toThrow(expect.objectContaining(untrusted));
    }
  });

  it('names the endpoint refused and how to confirm it, in the message', () => {
    expect(() => trustedTokenUrl('https://auth.example.com/realms/invoicing/protocol/openid-connect/token', 'https://api.example.com', [])).toThrow(
      expect.objectContaining({ message: expect.stringMatching(/https:\/\/auth\.example\.com\/realms\/invoicing\/protocol\/openid-connect\/token.*--issuer https:\/\/auth\.example\.com\/realms\/invoicing/) }),
    );
  });
});
