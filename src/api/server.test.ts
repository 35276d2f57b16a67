import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy, serverConfigFromEnv, trustProxyFromEnv } from './server.ts';

describe('the server configuration', () => {
  it('accepts uploads up to 100 MB unless CLEARWAY_MAX_UPLOAD_MB says otherwise', () => {
    expect(serverConfigFromEnv({}).maxUploadBytes).toBe(100 * 1024 * 1024);
    expect(serverConfigFromEnv({ CLEARWAY_MAX_UPLOAD_MB: '5' }).maxUploadBytes).toBe(5 * 1024 * 1024);
    expect(serverConfigFromEnv({ CLEARWAY_MAX_UPLOAD_MB: 'lots' }).maxUploadBytes).toBe(100 * 1024 * 1024);
  });
});

describe('the limits and the proxies the server trusts', () => {
  it('gives operators a lower upload limit (CLEARWAY_MAX_UPLOAD_MB_OPERATOR, 20 MB), never above the authority\'s', () => {
    expect(serverConfigFromEnv({}).maxOperatorUploadBytes).toBe(20 * 1024 * 1024);
    expect(serverConfigFromEnv({ CLEARWAY_MAX_UPLOAD_MB_OPERATOR: '8' }).maxOperatorUploadBytes).toBe(8 * 1024 * 1024);
    expect(serverConfigFromEnv({ CLEARWAY_MAX_UPLOAD_MB: '10', CLEARWAY_MAX_UPLOAD_MB_OPERATOR: '50' }).maxOperatorUploadBytes).toBe(10 * 1024 * 1024);
  });

  it('trusts no proxy by default, and otherwise the addresses, CIDRs or number of hops it is given', () => {
    expect(trustProxyFromEnv(undefined)).toBe(false);
    expect(trustProxyFromEnv('false')).toBe(false);
    expect(trustProxyFromEnv('true')).toBe(1);
    expect(trustProxyFromEnv('2')).toBe(2);
    expect(trustProxyFromEnv('10.0.0.5, 192.168.0.0/16,loopback')).toEqual(['10.0.0.5', '192.168.0.0/16', 'loopback']);
    expect(() => trustProxyFromEnv('everyone')).toThrow(/CLEARWAY_TRUST_PROXY: everyone is not an address/);
  });

  it('lets the web app and MapLibre run under its Content-Security-Policy, and nothing frame it', () => {
    const csp = contentSecurityPolicy('https://tile.example.org/{z}/{x}/{y}.png');
    expect(csp).toContain("worker-src 'self' blob:");
    expect(csp).toContain("img-src 'self' data: blob: https://tile.example.org");
    expect(csp).toContain("connect-src 'self' https://tile.example.org");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(contentSecurityPolicy(null)).toContain("connect-src 'self';");
  });
});
