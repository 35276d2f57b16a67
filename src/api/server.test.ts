import { describe, expect, it } from 'vitest';
import { serverConfigFromEnv } from './server.ts';

describe('the server configuration', () => {
  it('accepts uploads up to 100 MB unless CLEARWAY_MAX_UPLOAD_MB says otherwise', () => {
    expect(serverConfigFromEnv({}).maxUploadBytes).toBe(100 * 1024 * 1024);
    expect(serverConfigFromEnv({ CLEARWAY_MAX_UPLOAD_MB: '5' }).maxUploadBytes).toBe(5 * 1024 * 1024);
    expect(serverConfigFromEnv({ CLEARWAY_MAX_UPLOAD_MB: 'lots' }).maxUploadBytes).toBe(100 * 1024 * 1024);
  });
});
