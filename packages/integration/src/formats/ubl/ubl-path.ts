import { NS, xmlPath } from '../xml';

/** The UBL 2.1 namespaces, by the prefixes the standard's documentation uses. */
export const UBL_NS = { invoice: NS.ublInvoice, creditNote: NS.ublCreditNote, cac: NS.cac, cbc: NS.cbc } as const;

/** Child steps by UBL prefix: `text(party, 'cac:PartyName', 'cbc:Name')`. */
export const { all, at, text, attr } = xmlPath({ cac: UBL_NS.cac, cbc: UBL_NS.cbc });
