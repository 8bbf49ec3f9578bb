/** The slices of Allegro's checkout form and events this plugin reads (OpenAPI `CheckoutForm`). */
export interface CheckoutForm {
  id: string;
  status: 'BOUGHT' | 'FILLED_IN' | 'READY_FOR_PROCESSING' | 'CANCELLED';
  revision?: string;
  updatedAt?: string;
  /** `required` is true exactly when the buyer asked for an invoice (#12291, #11689). */
  invoice?: { required?: boolean };
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
  file?: {
    name?: string;
    uploadedAt?: string | null;
    /** Allegro's virus scan of the file (reference/README.md "Invoices", Correction). */
    securityVerification?: { status: 'WAITING' | 'ACCEPTED' | 'REJECTED'; verifiedAt?: string };
  } | null;
}
