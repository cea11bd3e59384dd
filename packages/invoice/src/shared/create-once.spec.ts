import 'reflect-metadata';
import { beforeEach, describe, expect, it } from '@jest/globals';
import { AddContact, CreatePartner } from '../partner/partner.use-cases';
import { SCENARIO_BUYER, createScenario, type Scenario } from '../testing/scenario';
import type { ContactId, PartnerId } from './ids';

let s: Scenario;
beforeEach(async () => {
  s = await createScenario();
});

const ID = 'derived-partner-1' as PartnerId;
const create = (legalName = 'Retried Ltd', id: PartnerId | null = ID) =>
  s.use(CreatePartner).execute({ tenantId: s.tenantId, ...SCENARIO_BUYER, legalName, ...(id === null ? {} : { id }) });

describe('createOnce (through CreatePartner)', () => {
  it('creates under the id given, and answers the stored aggregate to a retry without creating another', async () => {
    const first = await create();
    const retry = await create();

    expect(first.id).toBe(ID);
    expect(retry).toEqual(first);
    expect(await s.adapters.partners.get(s.tenantId, ID)).toBeDefined();
  });

  it('creates one aggregate when attempts of the same request run at once', async () => {
    const answers = await Promise.all([create(), create(), create()]);

    expect(new Set(answers.map((answer) => answer.id))).toEqual(new Set([ID]));
    expect(new Set(answers.map((answer) => answer.version))).toEqual(new Set([answers[0]?.version]));
  });

  it('makes a new id each time without one', async () => {
    const [a, b] = [await create('A Ltd', null), await create('B Ltd', null)];
    expect(a.id).not.toBe(b.id);
  });
});

describe('AddContact with an id derived from the request', () => {
  const CONTACT = 'derived-contact-1' as ContactId;
  const add = (expectedVersion?: number) =>
    s.use(AddContact).execute({ tenantId: s.tenantId, partnerId: s.buyer.id, contact: { name: 'Ana Retry', email: 'ana@example.com' }, id: CONTACT, ...(expectedVersion === undefined ? {} : { expectedVersion }) });

  it('adds the contact once: a retry (with the If-Match of the first attempt) answers it', async () => {
    const version = (await s.adapters.partners.get(s.tenantId, s.buyer.id))?.version;
    const first = await add(version);
    const retry = await add(version);

    expect(retry).toEqual(first);
    expect((await s.adapters.partners.get(s.tenantId, s.buyer.id))?.toState().contacts.filter((contact) => contact.id === CONTACT)).toHaveLength(1);
  });

  it('adds it once when attempts run at once', async () => {
    const answers = await Promise.all([add(), add(), add()]);
    expect(new Set(answers.map((answer) => answer.id))).toEqual(new Set([CONTACT]));
    expect((await s.adapters.partners.get(s.tenantId, s.buyer.id))?.toState().contacts.filter((contact) => contact.id === CONTACT)).toHaveLength(1);
  });
});
