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

/** A money amount as Allegro writes it: a decimal string and its currency (OpenAPI `Price`). */
export interface Money {
  amount: string;
  currency: string;
}

/** A checkout form's line item, as far as refunds read it (OpenAPI `CheckoutFormLineItem`). */
export interface FormLineItem {
  id: string;
  offer: { id: string; name: string };
  quantity: number;
  price: Money;
  deposit?: { price: Money };
  selectedAdditionalServices?: { name: string; price: Money; quantity: number }[];
}

/** The parts of a checkout form a refund needs. */
export interface RefundableForm extends CheckoutForm {
  buyer?: { login?: string; email?: string };
  payment?: { id?: string; type?: string; finishedAt?: string | null; paidAmount?: Money };
  lineItems: FormLineItem[];
  delivery?: { cost?: Money };
  summary?: { totalToPay?: Money };
}

/** A payment refund (OpenAPI `RefundDetails`). */
export interface AllegroRefund {
  id: string;
  payment?: { id?: string };
  order?: { id?: string };
  reason: string;
  status: 'SUCCESS' | 'CANCELED' | 'PARTIAL' | 'IN_PROGRESS' | 'VALIDATED' | 'VALIDATE_FAILED' | 'NEW';
  createdAt: string;
  totalValue: Money;
  lineItems?: { id: string; type: 'QUANTITY' | 'AMOUNT'; quantity?: number; value?: Money | null }[];
  deposits?: { lineItemId: string; totalValue: Money }[];
  delivery?: { value?: Money };
  additionalServices?: { value?: Money };
}

/** A customer return (OpenAPI `CustomerReturn`, a beta resource). */
export interface CustomerReturn {
  id: string;
  createdAt: string;
  referenceNumber?: string;
  orderId: string;
  buyer?: { email?: string; login?: string };
  items?: {
    offerId: string;
    quantity: number;
    name?: string;
    price?: Money;
    reason?: { type?: string; userComment?: string };
  }[];
  rejection?: { code?: string; reason?: string; createdAt?: string } | null;
  marketplaceId?: string;
  status: string;
}
