import 'reflect-metadata';
import { describe, expect, it } from '@jest/globals';
import { ValidationError } from '@invoicing/core';
import { Container } from 'inversify';
import { invoiceModule } from './invoice.module';
import { INVOICING_SETTINGS, type InvoicingSettings } from './shared/use-case-support';
import { createScenario } from './testing/scenario';

const settingsOf = (settings?: Partial<InvoicingSettings>): InvoicingSettings => {
  const container = new Container();
  container.loadSync(invoiceModule(settings));
  return container.get<InvoicingSettings>(INVOICING_SETTINGS);
};

describe('invoiceModule', () => {
  it('binds the time zone it is given, and UTC when none is', () => {
    expect(settingsOf({ timeZone: 'Europe/Paris' }).timeZone).toBe('Europe/Paris');
    expect(settingsOf().timeZone).toBe('UTC');
    expect(settingsOf({ timeZone: undefined }).timeZone).toBe('UTC');
  });

  it.each(['Europe/Pariss', 'Mars/Olympus', '', null, 5])('refuses to be built with the time zone %j, naming the setting', (timeZone) => {
    let error: unknown;
    try {
      invoiceModule({ timeZone: timeZone as string });
    } catch (caught) {
      error = caught;
    }

    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ code: 'date.unknown_time_zone', issues: [{ path: 'timeZone', code: 'date.unknown_time_zone' }] });
    expect((error as Error).message).toContain(JSON.stringify(timeZone));
  });

  it('fails a scenario with a misspelt time zone when it is built, not on its first request', async () => {
    await expect(createScenario({ timeZone: 'Europe/Pariss' })).rejects.toMatchObject({ code: 'date.unknown_time_zone' });
  });
});
