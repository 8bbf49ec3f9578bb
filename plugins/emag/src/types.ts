/** The slices of eMAG's order (API doc "Order fields") this plugin reads; the mapping reads the rest. */
export interface EmagOrder {
  id: number;
  /** 0 canceled, 1 new, 2 in progress, 3 prepared, 4 finalized, 5 returned. */
  status: number;
  /** 2 fulfilled by eMAG, 3 by the seller. */
  type: number;
  modified: string;
  [key: string]: unknown;
}

/** A return request (API doc "Return request fields"). */
export interface EmagRma {
  emag_id: number;
  order_id: number;
  request_status: number;
  [key: string]: unknown;
}

export interface EmagSettings {
  platform: 'ro' | 'bg' | 'hu' | 'fdro' | 'fdbg';
  accountType: 'main' | 'fbe';
  importOrders?: boolean;
  autoAcknowledge?: boolean;
  autoGenerateInvoices?: boolean;
  sendInvoices?: boolean;
  syncReturns?: boolean;
  allowCancellations?: boolean;
}

/** A flow switch: on unless the seller turned it off. */
export const enabled = (value: boolean | undefined): boolean => value !== false;
