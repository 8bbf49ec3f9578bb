import { readFileSync } from 'node:fs';

/** The host's version, from its package.json: plugins declare the host range they support. */
export const HOST_VERSION: string = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
