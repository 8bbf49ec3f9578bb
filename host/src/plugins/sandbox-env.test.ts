import { describe, expect, it } from 'vitest';
import { sandboxConfig } from './sandbox-env.ts';

describe('sandboxConfig', () => {
  const manifest = {
    sandbox: {
      entry: './sandbox/index.ts',
      env: {
        SHOP_API_URL: '{url}/api',
        SHOP_CLIENT_ID: '{credentials.clientId}',
        SHOP_CONTROL: '{controlUrl}',
      },
    },
  };

  it('fills the templates from the ready line', () => {
    const sandbox = {
      url: 'http://127.0.0.1:4000',
      controlUrl: 'http://127.0.0.1:4000/__sandbox',
      credentials: { clientId: 'c1' },
    };
    expect(sandboxConfig({ manifest, sandbox })).toEqual({
      SHOP_API_URL: 'http://127.0.0.1:4000/api',
      SHOP_CLIENT_ID: 'c1',
      SHOP_CONTROL: 'http://127.0.0.1:4000/__sandbox',
    });
  });

  it('refuses to leave a hole when the ready line lacks a credential', () => {
    expect(() =>
      sandboxConfig({ manifest, sandbox: { url: 'http://x', controlUrl: 'http://x/c', credentials: {} } }),
    ).toThrow('{credentials.clientId}');
  });
});
