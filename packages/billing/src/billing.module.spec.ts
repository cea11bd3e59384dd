import 'reflect-metadata';
import { describe, expect, it } from '@jest/globals';
import { ValidationError } from '@invoicing/core';
import { INVOICING_SETTINGS, type InvoicingSettings } from '@invoicing/invoice';
import { createBillingTestBed } from './testing';

describe('billingModule', () => {
  // Billing reads the business time zone from the invoicing settings: a container that would bill in an unknown zone
  // is refused when it is built, not on every billing run and usage batch after.
  it('is not built beside invoicing settings with a misspelt time zone', () => {
    let error: unknown;
    try {
      createBillingTestBed({ timeZone: 'Europe/Pariss' });
    } catch (caught) {
      error = caught;
    }

    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ code: 'date.unknown_time_zone', issues: [{ path: 'timeZone' }] });
  });

  it('bills in the time zone the invoicing settings give', () => {
    const bed = createBillingTestBed({ timeZone: 'America/New_York' });

    expect(bed.container.get<InvoicingSettings>(INVOICING_SETTINGS).timeZone).toBe('America/New_York');
  });
});
