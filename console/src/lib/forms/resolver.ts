// Which field renders a schema node: sjsf's compat resolution (enums as selects, multi-select
// arrays as checkboxes) without its file fields, which settings never use.
import '@sjsf/form/fields/extra/enum-include';
import '@sjsf/form/fields/extra/multi-enum-include';
import '@sjsf/basic-theme/extra-widgets/checkboxes-include';
import { getSimpleSchemaType, isFixedItems } from '@sjsf/form/core';
import { isCycleRef, isMultiSelect, isSelect, type FormState, type ResolveFieldType } from '@sjsf/form';

export function resolver<T>(ctx: FormState<T>): ResolveFieldType {
  return (config) => {
    const { schema } = config;
    if (isCycleRef(ctx, config)) return 'expandField';
    if (isSelect(ctx, schema)) return 'enumField';
    if (schema.oneOf !== undefined) return 'oneOfField';
    if (schema.anyOf !== undefined) return 'anyOfField';
    const type = getSimpleSchemaType(schema);
    if (type === 'array') {
      if (isMultiSelect(ctx, schema)) return 'multiEnumField';
      return isFixedItems(schema) ? 'tupleField' : 'arrayField';
    }
    return `${type}Field`;
  };
}
