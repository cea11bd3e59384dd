import { describe, expect, it } from '@jest/globals';
import { RouteTable } from './route-table';

describe('RouteTable', () => {
  const table = new RouteTable();
  table.add('GET', '/v1/partners/:partnerId/contacts/last-seen');
  table.add(['PATCH', 'DELETE'], '/v1/partners/:partnerId/contacts/:contactId');
  table.add(['GET', 'HEAD', 'POST'], '/v1/partners');

  it('lists the methods of a path, HEAD aside', () => {
    expect(table.methodsOf('/v1/partners')).toEqual(['GET', 'POST']);
    expect(table.methodsOf('/v1/partners/p1/contacts/c1')).toEqual(['DELETE', 'PATCH']);
  });

  it('takes a path a static route names as that resource, not as a parametric one', () => {
    expect(table.methodsOf('/v1/partners/p1/contacts/last-seen')).toEqual(['GET']);
  });

  it('knows no methods of an unknown path', () => {
    expect(table.methodsOf('/v1/nothing')).toEqual([]);
  });
});
