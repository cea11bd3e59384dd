import { NS, xmlPath } from '../xml';

/** The CII D16B namespaces by the prefixes the standard's documentation (and our writer) uses. */
export const CII_NS = { rsm: NS.rsm, ram: NS.ram, udt: NS.udt, qdt: NS.qdt } as const;

/** Child steps by CII prefix: `text(party, 'ram:SpecifiedLegalOrganization', 'ram:ID')`. */
export const { all, at, text, attr } = xmlPath(CII_NS);
