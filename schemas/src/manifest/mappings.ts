import { z } from 'zod';
import { HOST_RECORD_KINDS } from '../host-records.ts';
import { localId, nonEmpty } from '../patterns.ts';

/**
 * A field's value: an expression (JSONata, evaluated by the host against the marketplace record),
 * or a nested record produced by another mapping.
 */
export const FieldExpressionSchema = z.union([
  z.string().trim().min(1, { error: 'must be a non-empty expression' }),
  z.strictObject({
    /** Expression yielding the list to map; absent for a single nested record. */
    each: nonEmpty.optional(),
    /** Expression yielding the nested record's source; default: the current record. */
    from: nonEmpty.optional(),
    /** Name of another mapping in `mappings`. */
    mapping: localId,
  }),
]);

export const MappingSchema = z.strictObject({
  /** Host record kind this mapping produces. */
  target: z.enum(HOST_RECORD_KINDS),
  /** Marketplace record kind it reads (documentation, e.g. 'order', 'buyer', 'offer', 'return'). */
  source: nonEmpty,
  description: z.string().optional(),
  fields: z.record(z.string(), FieldExpressionSchema),
});

export const MappingsSchema = z.record(localId, MappingSchema);

export type FieldExpression = z.infer<typeof FieldExpressionSchema>;
export type Mapping = z.infer<typeof MappingSchema>;
