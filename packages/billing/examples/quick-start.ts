import { Money, decimal, parseCalendarDate } from '@invoicing/core';
import { periodContaining, priceModel, priceUsage, prorate } from '@invoicing/billing';

export function quickStart() {
  // 1.00 per call for the first 100 calls, 0.50 for the next 100, 0.10 after.
  const graduated = priceModel({ kind: 'graduated', tiers: [{ upTo: '100', unitPrice: '1' }, { upTo: '200', unitPrice: '0.5' }, { unitPrice: '0.1' }] });
  const usage = priceUsage(graduated, { units: decimal('250') });
  console.log(usage.amount.toString(), usage.parts.map((part) => `${part.quantity} × ${part.unitPrice}`).join(' + ')); // 155 100 × 1 + 100 × 0.5 + 50 × 0.1

  // A monthly fee of 100.00 EUR, for a plan that started on 11 March.
  const started = parseCalendarDate('2026-03-11');
  const march = periodContaining({ interval: 'monthly', alignment: 'calendar', anchor: started }, started);
  const fee = prorate(Money.of('100.00', 'EUR'), march, { start: started, end: march.end });
  console.log(march.start, march.end, fee.toString()); // 2026-03-01 2026-04-01 67.74
  return { usage, fee };
}
