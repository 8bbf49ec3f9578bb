/**
 * What the invoice list's search box matches — number, marketplace order number, buyer name or
 * company — as one text. The trigram index (migration 20261205070000) is built on exactly this
 * expression, so the list's condition must use it unchanged (with its table alias).
 */
export const SEARCH_TEXT = `(coalesce("number", '') || ' ' || coalesce("external_order_id", '') || ' ' ||
  coalesce("buyer" ->> 'name', '') || ' ' || coalesce("buyer" ->> 'companyName', ''))`;

/** The search text over the table aliased `alias`. */
export const searchTextOf = (alias: string) =>
  SEARCH_TEXT.replaceAll('"number"', `${alias}.number`)
    .replaceAll('"external_order_id"', `${alias}.external_order_id`)
    .replaceAll('"buyer"', `${alias}.buyer`);
