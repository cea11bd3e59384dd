import 'reflect-metadata';
import { beforeEach, describe, expect, it } from '@jest/globals';
import { CreatePartner } from '../partner/partner.use-cases';
import { SCENARIO_BUYER, createScenario, type Scenario } from '../testing/scenario';
import type { PartnerId } from './ids';

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
