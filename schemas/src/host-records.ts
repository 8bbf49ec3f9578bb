/**
 * The host records a manifest mapping can produce, and the fields each accepts. One list, so the
 * manifest check, the mapping engine and the docs agree. A field with `nested` is filled by
 * another mapping: `{ "mapping": "customer" }` for one record, `{ "each": "<expr>", "mapping":
 * "invoiceLines" }` for a list.
 */
export interface TargetField {
  required: boolean;
  nested?: { kind: HostRecordKind; many: boolean };
}

export const HOST_RECORD_KINDS = [
  'invoice',
  'invoiceLine',
  'customer',
  'product',
  'correction',
  'correctionLine',
] as const;
export type HostRecordKind = (typeof HOST_RECORD_KINDS)[number];

const req: TargetField = { required: true };
const opt: TargetField = { required: false };

export const HOST_RECORD_FIELDS: Readonly<Record<HostRecordKind, Readonly<Record<string, TargetField>>>> = {
  invoice: {
    externalId: req,
    currency: req,
    issueDate: req,
    lines: { required: true, nested: { kind: 'invoiceLine', many: true } },
    customer: { required: false, nested: { kind: 'customer', many: false } },
    saleDate: opt,
    dueDate: opt,
    orderRef: opt,
    paymentMethod: opt,
    paymentStatus: opt,
    paidAt: opt,
    totalGross: opt,
    /** Whether line unit prices include VAT (default true): Allegro prices are gross, eMAG's net. */
    pricesIncludeVat: opt,
    /** Truthy when the order is cancelled: an issued invoice is then marked cancelled. */
    cancelled: opt,
    notes: opt,
    /**
     * Falsy when the order takes no invoice under the integration's choice of which orders get one
     * (e.g. `$settings.invoiceOrders = 'requested' ? invoice.required = true : true`): it is
     * recorded, and invoiced once this turns true. Absent: every order is invoiced.
     */
    invoiceRequested: opt,
  },
  invoiceLine: {
    name: req,
    quantity: req,
    unitPrice: req,
    vatRate: req,
    sku: opt,
    /**
     * The marketplace's id of the order line (WooCommerce's order item id): kept on the issued
     * line so a later correction can name the line by it (`correctionLine.ref`).
     */
    ref: opt,
    unit: opt,
    discount: opt,
    product: { required: false, nested: { kind: 'product', many: false } },
  },
  customer: {
    externalId: req,
    name: req,
    email: opt,
    phone: opt,
    companyName: opt,
    taxId: opt,
    /** Every tax id the marketplace gives, `[{type, value}]` with its own type names (`PL_NIP`, `VAT_EU` …). */
    taxIds: opt,
    /** Whether the buyer is VAT-registered, when the marketplace says (false: never reverse-charged). */
    vatRegistered: opt,
    street: opt,
    city: opt,
    postalCode: opt,
    countryCode: opt,
  },
  product: {
    externalId: req,
    name: req,
    sku: opt,
    ean: opt,
    unitPrice: opt,
    currency: opt,
    vatRate: opt,
  },
  /**
   * A correction of an order's invoice — a refund, a return or a cancellation — read from the
   * marketplace as a record of its own (WooCommerce's refunds list). The host issues it once per
   * (invoice, key) in the company's correction series; when the order has no invoice yet it waits
   * and is issued once the invoice is (an order never invoiced needs none).
   */
  correction: {
    /** The order whose invoice is corrected (the invoice mapping's `externalId`). */
    externalOrderId: req,
    /** Unique per invoice (the refund's id): the same key never issues a second correction. */
    key: req,
    /** `refund`, `return` or `cancellation`. */
    kind: req,
    /** Printed on the correction; default: "Refund" / "Return" in the document's language. */
    reason: opt,
    /** The lines corrected; absent with `amount` (a refund of an amount, spread over the lines) or alone (everything left: a correction to zero). */
    lines: { required: false, nested: { kind: 'correctionLine', many: true } },
    /** A gross amount refunded on the whole order without naming lines: split over the lines in proportion to what is left on each. */
    amount: opt,
  },
  correctionLine: {
    /** The line by the marketplace's line id (`invoiceLine.ref`), its SKU or its position (1…). */
    ref: opt,
    sku: opt,
    position: opt,
    /** Units that came back; 0 or absent with `amount`. */
    quantity: opt,
    /** Gross amount refunded on the line (without units coming back, or besides them). */
    amount: opt,
  },
};
