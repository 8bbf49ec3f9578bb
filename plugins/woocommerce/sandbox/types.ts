/**
 * The JSON the sandbox serves, field by field as WooCommerce's REST API v3 shows it
 * (https://woocommerce.github.io/woocommerce-rest-api-docs/#order-properties,
 * #refund-properties; WC_REST_Orders_V2_Controller::get_formatted_item_data and
 * ::get_order_item_data, WC_REST_Order_Refunds_V2_Controller::get_formatted_item_data).
 * Money is a string with `dp` decimals (default 2); `taxes[].total/subtotal` are the UNROUNDED
 * values WooCommerce stores on the item; `price` is a number (item total ÷ quantity, net of tax).
 */

export interface WooMeta {
  id: number;
  key: string;
  value: string;
}

/** Item meta as WC_REST_Orders_V2_Controller::merge_meta_item_with_formatted_meta_display_attributes shows it. */
export interface WooItemMeta extends WooMeta {
  display_key: string;
  display_value: string;
}

export interface WooAddress {
  first_name: string;
  last_name: string;
  company: string;
  address_1: string;
  address_2: string;
  city: string;
  state: string;
  postcode: string;
  country: string;
}

export interface Billing extends WooAddress {
  email: string | null;
  phone: string;
}

export interface Shipping extends WooAddress {
  phone: string;
}

export interface WooItemTax {
  id: number;
  total: string;
  subtotal: string;
}

export interface WooLineItem {
  id: number;
  name: string;
  product_id: number;
  variation_id: number;
  quantity: number;
  tax_class: string;
  subtotal: string;
  subtotal_tax: string;
  total: string;
  total_tax: string;
  taxes: WooItemTax[];
  meta_data: WooItemMeta[];
  sku: string | null;
  price: number;
  image: { id: number; src: string };
  parent_name: string | null;
}

export interface WooTaxLine {
  id: number;
  rate_code: string;
  rate_id: number;
  label: string;
  compound: boolean;
  tax_total: string;
  shipping_tax_total: string;
  rate_percent: number;
  meta_data: WooItemMeta[];
}

export interface WooShippingLine {
  id: number;
  method_title: string;
  method_id: string;
  instance_id: string;
  total: string;
  total_tax: string;
  taxes: WooItemTax[];
  tax_status: string;
  meta_data: WooItemMeta[];
}

export interface WooFeeLine {
  id: number;
  name: string;
  tax_class: string;
  tax_status: string;
  amount: string;
  total: string;
  total_tax: string;
  taxes: WooItemTax[];
  meta_data: WooItemMeta[];
}

export interface WooCouponLine {
  id: number;
  code: string;
  discount: string;
  discount_tax: string;
  discount_type: string;
  nominal_amount: number;
  free_shipping: boolean;
  meta_data: WooItemMeta[];
}

export interface WooOrder {
  id: number;
  parent_id: number;
  status: string;
  currency: string;
  version: string;
  prices_include_tax: boolean;
  date_created: string;
  date_modified: string;
  discount_total: string;
  discount_tax: string;
  shipping_total: string;
  shipping_tax: string;
  cart_tax: string;
  total: string;
  total_tax: string;
  customer_id: number;
  order_key: string;
  billing: Billing;
  shipping: Shipping;
  payment_method: string;
  payment_method_title: string;
  transaction_id: string;
  customer_ip_address: string;
  customer_user_agent: string;
  created_via: string;
  customer_note: string;
  date_completed: string | null;
  date_paid: string | null;
  cart_hash: string;
  number: string;
  meta_data: WooMeta[];
  line_items: WooLineItem[];
  tax_lines: WooTaxLine[];
  shipping_lines: WooShippingLine[];
  fee_lines: WooFeeLine[];
  coupon_lines: WooCouponLine[];
  refunds: { id: number; reason: string; total: string }[];
  payment_url: string;
  is_editable: boolean;
  needs_payment: boolean;
  needs_processing: boolean;
  date_created_gmt: string;
  date_modified_gmt: string;
  date_completed_gmt: string | null;
  date_paid_gmt: string | null;
  /** Last field of a real v3 response (after date_paid_gmt), e.g. "$"; HTML entities decoded. */
  currency_symbol: string;
  _links: Record<string, { href: string }[]>;
}

export interface WooRefundLineItem extends Omit<WooLineItem, 'image' | 'parent_name'> {
  image?: { id: number; src: string };
}

export interface WooRefund {
  id: number;
  /** Only on `GET /wc/v3/refunds` (WC_REST_Refunds_Controller::get_formatted_item_data). */
  parent_id?: number;
  date_created: string;
  date_created_gmt: string;
  amount: string;
  reason: string;
  refunded_by: number;
  refunded_payment: boolean;
  meta_data: WooMeta[];
  line_items: WooRefundLineItem[];
  shipping_lines: WooShippingLine[];
  tax_lines: WooTaxLine[];
  fee_lines: WooFeeLine[];
  _links: Record<string, { href: string; embeddable?: boolean }[]>;
}

export interface NewOrderLine {
  sku: string;
  name: string;
  quantity: number;
  /** Unit price in the store's price mode: gross when `pricesIncludeTax` (the default), net otherwise. */
  price: string;
  vatRate: '23' | '8' | '5' | '0';
}

export interface NewOrder {
  /** Default 'processing'. */
  status?: string;
  /** Default 'PLN'. */
  currency?: string;
  lines: NewOrderLine[];
  /**
   * The shipping method's cost as WooCommerce keeps it: ALWAYS net of tax, whatever
   * `pricesIncludeTax` says ("shipping prices are always defined excluding tax",
   * https://github.com/woothemes/woocommerce/wiki/How-Taxes-Work-in-WooCommerce); the tax is added.
   */
  shipping?: { title: string; price: string; vatRate: '23' | '8' | '5' | '0'; methodId?: string };
  /** Fees (WC_Cart::add_fee) are net too; their tax is added on top. */
  fees?: { name: string; price: string; vatRate: '23' | '8' | '5' | '0' }[];
  /**
   * A `percent` coupon (WC_Discounts::apply_coupon_percent) or a `fixed_cart` one
   * (apply_coupon_fixed_cart; the amount is in the store's price mode, gross when prices include tax).
   */
  coupon?: { code: string; percent: number } | { code: string; fixedCart: string };
  billing?: Partial<Billing>;
  meta?: { key: string; value: string }[];
  /** Creation time (UTC ISO); default the sandbox clock. */
  createdAt?: string;
  paymentMethod?: string;
  paymentMethodTitle?: string;
  customerNote?: string;
}

export interface RefundSpec {
  reason?: string;
  /** Refunded line items; `refundTotal` is gross, default the line's gross share for that quantity. */
  lines?: { sku: string; quantity: number; refundTotal?: string }[];
  /** Refunded shipping (gross). */
  shipping?: { refundTotal: string };
  /** An amount-only refund (no lines), or the amount of a refund with lines (default: their sum). */
  amount?: string;
  /** When (UTC ISO); default the sandbox clock. */
  at?: string;
}

export interface StoreSettings {
  pricesIncludeTax: boolean;
  timezone: string;
  taxRoundAtSubtotal: boolean;
}
