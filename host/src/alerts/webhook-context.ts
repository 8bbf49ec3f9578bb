/** The vault context a tenant's alert webhook URL is sealed under (read by key rotation too). */
export const ALERT_WEBHOOK_CONTEXT = 'alert-webhook';
