import { z } from 'zod';

/** A path on this host (`/settings/…`), never `//other.host` or `/\other.host`: no open redirects. */
export const isLocalPath = (value: string) => /^\/(?![/\\])/.test(value) && !/[\r\n]/.test(value);

export const ReturnToSchema = z
  .string()
  .max(500)
  .refine(isLocalPath, { message: 'must be a path on this host, such as /settings/integrations' });
