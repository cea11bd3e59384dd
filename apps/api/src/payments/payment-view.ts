import { Payment, type PaymentState } from '@invoicing/invoice';
import { view } from '../http/responses';
import type { PaymentDto } from './payment.response.dto';

/** A payment as the API answers it, wherever it comes from: the stored state plus the unapplied credit the aggregate derives. */
export function paymentView(state: PaymentState): PaymentDto {
  return { ...view<Omit<PaymentDto, 'unapplied'>>(state), unapplied: Payment.restore(state).unapplied.toJSON() };
}
