/** The slices of Allegro's checkout form and events this plugin reads (OpenAPI `CheckoutForm`). */
export interface CheckoutForm {
  id: string;
  status: 'BOUGHT' | 'FILLED_IN' | 'READY_FOR_PROCESSING' | 'CANCELLED';
  revision?: string;
  updatedAt?: string;
  [key: string]: unknown;
}

export interface OrderEvent {
  id: string;
  type: string;
  occurredAt: string;
  order: { checkoutForm: { id: string; revision?: string } };
}

export interface AllegroInvoice {
  id: string;
  invoiceNumber?: string;
  file?: { name?: string; uploadedAt?: string | null } | null;
}
