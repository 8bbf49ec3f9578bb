import { z } from 'zod';
import { ManifestErrorCode, type ManifestIssue } from './errors.ts';
import { fromZodIssues } from './zod-issues.ts';

/** The root plugin.manifest.json: which plugin folders the host loads, relative to this file. */
export const RegistrySchema = z
  .strictObject({
    $schema: z.string().optional(),
    plugins: z.array(
      z.string().regex(/^(?!\/)(?!.*(?:^|\/)\.\.(?:\/|$))[^\\]+$/, {
        error: "must be a folder path relative to the registry file, e.g. 'plugins/allegro'",
      }),
    ),
  })
  .superRefine((registry, ctx) => {
    const first = new Map<string, number>();
    registry.plugins.forEach((entry, index) => {
      const normalized = entry.replace(/^\.\//, '').replace(/\/+$/, '');
      const earlier = first.get(normalized);
      if (earlier !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['plugins', index],
          message: `'${entry}' is already listed at /plugins/${earlier}; list each plugin folder once`,
          params: { code: ManifestErrorCode.DUPLICATE },
        });
      } else first.set(normalized, index);
    });
  });

export type Registry = z.infer<typeof RegistrySchema>;

export function validateRegistry(
  input: unknown,
): { ok: true; registry: Registry } | { ok: false; issues: ManifestIssue[] } {
  const parsed = RegistrySchema.safeParse(input, { reportInput: true });
  if (parsed.success) return { ok: true, registry: parsed.data };
  return {
    ok: false,
    issues: fromZodIssues(parsed.error.issues).map((issue) => ({
      ...issue,
      code: issue.code === ManifestErrorCode.DUPLICATE ? issue.code : ManifestErrorCode.REGISTRY_INVALID,
    })),
  };
}
