import { describe, expect, it } from '@jest/globals';
import { operationIdFor, singular } from './operation-ids';

describe('operationIdFor', () => {
  it.each([
    ['create', 'post', '/v1/partners', 'createPartner'],
    ['list', 'get', '/v1/partners', 'listPartners'],
    ['get', 'get', '/v1/partners/{partnerId}', 'getPartner'],
    ['update', 'put', '/v1/partners/{partnerId}', 'updatePartner'],
    ['replace', 'put', '/v1/partners/{partnerId}/contacts', 'replaceContacts'],
    ['add', 'post', '/v1/partners/{partnerId}/contacts', 'addContact'],
    ['change', 'patch', '/v1/partners/{partnerId}/contacts/{contactId}', 'changeContact'],
    ['remove', 'delete', '/v1/partners/{partnerId}/contacts/{contactId}', 'removeContact'],
    ['search', 'get', '/v1/contacts/search', 'searchContacts'],
    ['record', 'post', '/v1/partners/{partnerId}/payments', 'recordPayment'],
  ])('names a resource verb after the resource the path ends with: %s %s %s → %s', (method, http, route, id) => {
    expect(operationIdFor(method, { method: http, path: route })).toBe(id);
  });

  it.each([
    ['archive', 'post', '/v1/partners/{partnerId}/archive', 'archivePartner'],
    ['issue', 'post', '/v1/invoices/{invoiceId}/issue', 'issueInvoice'],
    ['pay', 'post', '/v1/invoices/{invoiceId}/payments', 'payInvoice'],
    ['credit', 'post', '/v1/invoices/{invoiceId}/credit-notes', 'creditInvoice'],
    ['apply', 'post', '/v1/payments/{paymentId}/applications', 'applyPayment'],
  ])('names any other verb after the resource the path addresses by id: %s %s %s → %s', (method, http, route, id) => {
    expect(operationIdFor(method, { method: http, path: route })).toBe(id);
  });

  it.each([
    ['aging', 'get', '/v1/reports/aging', 'getAging'],
    ['pastDue', 'get', '/v1/reports/past-due', 'getPastDue'],
    ['balance', 'get', '/v1/partners/{partnerId}/balance', 'getBalance'],
    ['listInvoicePayments', 'get', '/v1/invoices/{invoiceId}/payments', 'listInvoicePayments'],
    ['changeTerms', 'put', '/v1/partnerships/{partnershipId}/terms', 'changeTerms'],
    ['markUncollectible', 'post', '/v1/invoices/{invoiceId}/mark-uncollectible', 'markUncollectible'],
  ])('reads a GET of a noun as get…, and keeps a method name that has its object: %s %s %s → %s', (method, http, route, id) => {
    expect(operationIdFor(method, { method: http, path: route })).toBe(id);
  });
});

describe('singular', () => {
  it.each([
    ['invoices', 'invoice'],
    ['partnerships', 'partnership'],
    ['addresses', 'address'],
    ['entries', 'entry'],
    ['credit-notes', 'credit-note'],
  ])('%s → %s', (plural, one) => {
    expect(singular(plural)).toBe(one);
  });
});
