import { isCreditNoteType, type En16931Document, type Finding, type PaymentInstructions } from '../model';
import { MODEL_RULE_OPTIONS, ciiShadowsEntry, finding, type RuleSet } from './rule';

/*
 * The core business rules BR-01 … BR-65 of the CEN schematron 1.3.16, as its UBL binding tests them
 * (EN16931-UBL-validation.xslt), translated to the semantic model. BR-34, BR-35, BR-39, BR-40 and BR-58 … BR-60 are
 * not in 1.3.16. Each rule reports once per context the schematron reports once per context (a line, an allowance …).
 *
 * XPath semantics kept here:
 * - `normalize-space(x) != ''` ("non-blank") is stricter than `exists(x)`: the rules that test `exists` pass on a
 *   present but empty term, the others do not. Only XML whitespace (space, tab, CR, LF) is blank; U+00A0 is not.
 * - A rule whose context is a group (BG-5, BG-11 …) fires only when the group is present.
 *
 * Where the CII binding (EN16931-CII-validation.xslt) tests differently, a `CII:` comment says how, and the rule
 * follows it when the document was read from CII (`options.syntax`).
 */

const isXmlSpace = (code: number): boolean => code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d;

/** `normalize-space(s) = ''`: absent, empty or XML whitespace only. */
function blank(s: string | undefined): boolean {
  if (s === undefined) return true;
  for (let i = 0; i < s.length; i++) if (!isXmlSpace(s.charCodeAt(i))) return false;
  return true;
}

/** `normalize-space(s) = code`, for a `code` without spaces: `s` trimmed of XML whitespace equals it. */
function normalizedIs(s: string | undefined, code: string): boolean {
  if (s === undefined) return false;
  let start = 0;
  let end = s.length;
  while (start < end && isXmlSpace(s.charCodeAt(start))) start++;
  while (end > start && isXmlSpace(s.charCodeAt(end - 1))) end--;
  return end - start === code.length && s.startsWith(code, start);
}

/** `string-length(normalize-space(s))`: characters (code points), inner whitespace runs counted as one space. */
function normalizedLength(s: string): number {
  let length = 0;
  let pendingSpace = false;
  for (let i = 0; i < s.length; i++) {
    const code = s.charCodeAt(i);
    if (isXmlSpace(code)) {
      pendingSpace = length > 0;
      continue;
    }
    if (pendingSpace) length++;
    pendingSpace = false;
    // The low half of a surrogate pair is the same character as its high half.
    if (code < 0xdc00 || code > 0xdfff) length++;
  }
  return length;
}

/**
 * Whether `(text) >= 0` is false in the official run (BR-27, BR-28). The text is compared as an `xs:double`, and
 * Saxon reads `-0.00` as the double -0.0, which it orders below 0, but `-0` as the integer 0: so a negative zero
 * written with a decimal point fails, one written without passes (both checked with the official validator). Text
 * that is not an `xs:decimal` cannot be compared and fails too; the XSD refuses it anyway.
 */
function notAtLeastZero(text: string): boolean {
  let i = 0;
  let negative = false;
  if (text.startsWith('-') || text.startsWith('+')) {
    negative = text.startsWith('-');
    i = 1;
  }
  let digits = 0;
  let nonZero = false;
  let point = false;
  for (; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0x30 && code <= 0x39) {
      digits++;
      if (code !== 0x30) nonZero = true;
    } else if (code === 0x2e && !point) point = true;
    else return true;
  }
  return digits === 0 || (negative && (nonZero || point));
}

/** `xs:date(end) >= xs:date(start)` fails: dates are `YYYY-MM-DD`, so text order is date order; other text cannot be cast. */
function endBeforeStart(start: string, end: string): boolean {
  const isDate = (d: string) => d.length === 10 && d.charCodeAt(4) === 0x2d && d.charCodeAt(7) === 0x2d;
  return !isDate(start) || !isDate(end) || end < start;
}

/**
 * In UBL, BT-90 (the SEPA creditor id) sits on the seller or payee party, not in `cac:PaymentMeans`: payment
 * instructions holding nothing else have no `cac:PaymentMeans` for BR-49 to test.
 */
function onlyCreditorId(p: PaymentInstructions): boolean {
  const debit = p.directDebit;
  return (
    debit?.creditorId !== undefined &&
    debit.mandateReference === undefined &&
    debit.debitedAccountId === undefined &&
    p.meansText === undefined &&
    p.remittanceInformation === undefined &&
    p.card === undefined &&
    p.creditTransfers.length === 0
  );
}

/**
 * In CII, the payment means BR-49 tests: the model has payment instructions without one when it only holds the
 * remittance information (BT-83) or the direct debit's mandate or creditor id, which CII states elsewhere.
 */
function ciiHasPaymentMeans(p: PaymentInstructions): boolean {
  return p.meansCode !== undefined || p.meansText !== undefined || p.card !== undefined || p.directDebit?.debitedAccountId !== undefined || p.creditTransfers.length > 0;
}

/** BR-01 … BR-65. */
export const coreRules: RuleSet = (doc: En16931Document, options = MODEL_RULE_OPTIONS): Finding[] => {
  const out: Finding[] = [];
  const { seller, buyer, totals } = doc;
  const cii = options.syntax === 'cii';

  // Context /ubl:Invoice: once per document.
  if (blank(doc.process.specification)) out.push(finding('BR-01', 'An Invoice shall have a Specification identifier (BT-24).', 'BT-24', 'process.specification'));
  if (blank(doc.number)) out.push(finding('BR-02', 'An Invoice shall have an Invoice number (BT-1).', 'BT-1', 'number'));
  if (blank(doc.issueDate)) out.push(finding('BR-03', 'An Invoice shall have an Invoice issue date (BT-2).', 'BT-2', 'issueDate'));
  if (blank(doc.typeCode)) out.push(finding('BR-04', 'An Invoice shall have an Invoice type code (BT-3).', 'BT-3', 'typeCode'));
  if (blank(doc.currency)) out.push(finding('BR-05', 'An Invoice shall have an Invoice currency code (BT-5).', 'BT-5', 'currency'));
  if (blank(seller.name)) out.push(finding('BR-06', 'An Invoice shall contain the Seller name (BT-27).', 'BT-27', 'seller.name'));
  if (blank(buyer.name)) out.push(finding('BR-07', 'An Invoice shall contain the Buyer name (BT-44).', 'BT-44', 'buyer.name'));
  if (seller.address === undefined) out.push(finding('BR-08', 'An Invoice shall contain the Seller postal address (BG-5).', 'BG-5', 'seller.address'));
  // CII: BR-09 and BR-11 are tested on the document, so they also fire when the whole address is missing.
  if ((cii || seller.address !== undefined) && blank(seller.address?.country)) {
    out.push(finding('BR-09', 'The Seller postal address (BG-5) shall contain a Seller country code (BT-40).', 'BT-40', 'seller.address.country'));
  }
  if (buyer.address === undefined) out.push(finding('BR-10', 'An Invoice shall contain the Buyer postal address (BG-8).', 'BG-8', 'buyer.address'));
  if ((cii || buyer.address !== undefined) && blank(buyer.address?.country)) {
    out.push(finding('BR-11', 'The Buyer postal address (BG-8) shall contain a Buyer country code (BT-55).', 'BT-55', 'buyer.address.country'));
  }

  // Context cac:LegalMonetaryTotal, which the UBL XSD requires: BG-22 is always there.
  // CII: context ram:SpecifiedTradeSettlementHeaderMonetarySummation, which is optional; without any total the
  // writer writes none, and the reader then gives no total.
  const summation = !cii || Object.keys(totals).length > 0;
  if (summation && totals.lineNetTotal === undefined) out.push(finding('BR-12', 'An Invoice shall have the Sum of Invoice line net amount (BT-106).', 'BT-106', 'totals.lineNetTotal'));
  if (summation && totals.taxExclusive === undefined) out.push(finding('BR-13', 'An Invoice shall have the Invoice total amount without VAT (BT-109).', 'BT-109', 'totals.taxExclusive'));
  if (summation && totals.taxInclusive === undefined) out.push(finding('BR-14', 'An Invoice shall have the Invoice total amount with VAT (BT-112).', 'BT-112', 'totals.taxInclusive'));
  if (summation && totals.amountDue === undefined) out.push(finding('BR-15', 'An Invoice shall have the Amount due for payment (BT-115).', 'BT-115', 'totals.amountDue'));
  if (doc.lines.length === 0) out.push(finding('BR-16', 'An Invoice shall have at least one Invoice line (BG-25).', 'BG-25'));

  // BR-17, context cac:PayeeParty. UBL compares the payee name with the seller's cac:PartyName, which is the
  // trading name (BT-28), and the payee's party identifiers with the seller's (BT-60 with BT-29).
  // CII: compares with the seller name (BT-27), the payee's and seller's `ram:ID` (identifiers without a scheme; with
  // one they are `ram:GlobalID`), and BT-61 with BT-30 as well.
  const payee = doc.payee;
  if (payee !== undefined) {
    const payeeId = payee.identifier?.id;
    const sameAsSeller = cii
      ? payee.name === seller.name ||
        (payeeId !== undefined && payee.identifier?.scheme === undefined && seller.identifiers.some((id) => id.scheme === undefined && id.id === payeeId)) ||
        (payee.legalRegistration !== undefined && payee.legalRegistration.id === seller.legalRegistration?.id)
      : (seller.tradingName !== undefined && payee.name === seller.tradingName) || (payeeId !== undefined && seller.identifiers.some((id) => id.id === payeeId));
    if (payee.name === undefined || sameAsSeller) {
      out.push(finding('BR-17', 'The Payee name (BT-59) shall be provided if the Payee (BG-10) is different from the Seller (BG-4).', 'BT-59', 'payee.name'));
    }
  }

  // BR-18, BR-19, BR-56 (context cac:TaxRepresentativeParty), BR-20 (context its cac:PostalAddress).
  // CII: BR-20 is tested on the party, so it also fires when the whole address is missing; BR-56 wants a non-blank id.
  const representative = doc.taxRepresentative;
  if (representative !== undefined) {
    if (blank(representative.name)) {
      out.push(finding('BR-18', 'The Seller tax representative name (BT-62) shall be provided if the Seller has a tax representative (BG-11).', 'BT-62', 'taxRepresentative.name'));
    }
    if (representative.address === undefined) {
      out.push(finding('BR-19', 'The Seller tax representative postal address (BG-12) shall be provided if the Seller has a tax representative (BG-11).', 'BG-12', 'taxRepresentative.address'));
    }
    if (cii ? blank(representative.vatId) : representative.vatId === undefined) {
      out.push(finding('BR-56', 'Each Seller tax representative party (BG-11) shall have a Seller tax representative VAT identifier (BT-63).', 'BT-63', 'taxRepresentative.vatId'));
    }
    if ((cii || representative.address !== undefined) && blank(representative.address?.country)) {
      out.push(finding('BR-20', 'The Seller tax representative postal address (BG-12) shall contain a Tax representative country code (BT-69).', 'BT-69', 'taxRepresentative.address.country'));
    }
  }

  // BR-29, context cac:InvoicePeriod (the document's: a line's matches the line rule first).
  // CII compares the two `102` date strings, which orders them the same way.
  const period = doc.invoicePeriod;
  if (period?.start !== undefined && period.end !== undefined && endBeforeStart(period.start, period.end)) {
    out.push(finding('BR-29', 'The Invoicing period end date (BT-74) shall be later or equal to the Invoicing period start date (BT-73).', 'BT-74', 'invoicePeriod.end'));
  }

  doc.allowances.forEach((allowance, i) => {
    if (allowance.amount === undefined) out.push(finding('BR-31', 'Each Document level allowance (BG-20) shall have a Document level allowance amount (BT-92).', 'BT-92', `allowances[${i}].amount`));
    if (allowance.vatCategory === undefined) {
      out.push(finding('BR-32', 'Each Document level allowance (BG-20) shall have a Document level allowance VAT category code (BT-95).', 'BT-95', `allowances[${i}].vatCategory`));
    }
    if (allowance.reason === undefined && allowance.reasonCode === undefined) {
      out.push(finding('BR-33', 'Each Document level allowance (BG-20) shall have a Document level allowance reason (BT-97) or reason code (BT-98).', 'BT-97', `allowances[${i}].reason`));
    }
  });
  doc.charges.forEach((charge, i) => {
    if (charge.amount === undefined) out.push(finding('BR-36', 'Each Document level charge (BG-21) shall have a Document level charge amount (BT-99).', 'BT-99', `charges[${i}].amount`));
    if (charge.vatCategory === undefined) {
      out.push(finding('BR-37', 'Each Document level charge (BG-21) shall have a Document level charge VAT category code (BT-102).', 'BT-102', `charges[${i}].vatCategory`));
    }
    if (charge.reason === undefined && charge.reasonCode === undefined) {
      out.push(finding('BR-38', 'Each Document level charge (BG-21) shall have a Document level charge reason (BT-104) or reason code (BT-105).', 'BT-104', `charges[${i}].reason`));
    }
  });

  doc.vatBreakdown.forEach((entry, i) => {
    if (ciiShadowsEntry(options, entry.category)) return;
    if (entry.taxableAmount === undefined) out.push(finding('BR-45', 'Each VAT breakdown (BG-23) shall have a VAT category taxable amount (BT-116).', 'BT-116', `vatBreakdown[${i}].taxableAmount`));
    if (entry.taxAmount === undefined) out.push(finding('BR-46', 'Each VAT breakdown (BG-23) shall have a VAT category tax amount (BT-117).', 'BT-117', `vatBreakdown[${i}].taxAmount`));
    if (entry.category === undefined) out.push(finding('BR-47', 'Each VAT breakdown (BG-23) shall be defined through a VAT category code (BT-118).', 'BT-118', `vatBreakdown[${i}].category`));
    if (entry.rate === undefined && !normalizedIs(entry.category, 'O')) {
      out.push(finding('BR-48', 'Each VAT breakdown (BG-23) shall have a VAT category rate (BT-119), except if the Invoice is not subject to VAT.', 'BT-119', `vatBreakdown[${i}].rate`));
    }
  });

  const payment = doc.paymentInstructions;
  if (payment !== undefined) {
    // BR-49 and BR-61, context cac:PaymentMeans.
    if (payment.meansCode === undefined && (cii ? ciiHasPaymentMeans(payment) : !onlyCreditorId(payment))) {
      out.push(finding('BR-49', 'A Payment instruction (BG-16) shall specify the Payment means type code (BT-81).', 'BT-81', 'paymentInstructions.meansCode'));
    }
    // BR-61, context each cac:PaymentMeans, normalizes the code and asks for its account id element (even empty). A
    // UBL means holds one account at most, and the writer writes one means per account (or one without), so it fires
    // when there is no account or an account has no id. BR-50 selects its context by the code as written and wants
    // the id non-blank. CII: BR-61 is tested on each account of a 30/58 means, so it never fires when there is no
    // account at all, and fires for each account without an id.
    const credit = payment.meansCode === '30' || payment.meansCode === '58';
    const BR_61 = 'A credit transfer payment means (BT-81 = 30 or 58) requires the Payment account identifier (BT-84).';
    if (cii) {
      if (credit) {
        payment.creditTransfers.forEach((transfer, i) => {
          if (transfer.accountId === undefined) out.push(finding('BR-61', BR_61, 'BT-84', `paymentInstructions.creditTransfers[${i}].accountId`));
        });
      }
    } else if (normalizedIs(payment.meansCode, '30') || normalizedIs(payment.meansCode, '58')) {
      const transfers = payment.creditTransfers;
      if (transfers.length === 0) out.push(finding('BR-61', BR_61, 'BT-84', 'paymentInstructions.creditTransfers'));
      transfers.forEach((transfer, i) => {
        if (transfer.accountId === undefined) out.push(finding('BR-61', BR_61, 'BT-84', `paymentInstructions.creditTransfers[${i}].accountId`));
      });
    }
    if (credit) {
      payment.creditTransfers.forEach((transfer, i) => {
        if (blank(transfer.accountId)) {
          out.push(finding('BR-50', 'A Payment account identifier (BT-84) shall be present if Credit transfer (BG-17) information is provided.', 'BT-84', `paymentInstructions.creditTransfers[${i}].accountId`));
        }
      });
    }
    // BR-51 is a warning in UBL. CII: fatal.
    const pan = payment.card?.accountNumber;
    if (pan !== undefined && normalizedLength(pan) > 10) {
      out.push(
        finding('BR-51', 'An invoice should never include a full card primary account number (BT-87): at most the first 6 and last 4 digits.', 'BT-87', 'paymentInstructions.card.accountNumber', cii ? 'fatal' : 'warning'),
      );
    }
  }

  // BR-52, context cac:AdditionalDocumentReference: the supporting documents, and in UBL also the reference that
  // carries the invoiced object identifier (BT-18, document type 130) and, in a credit note, the project reference
  // (BT-11, document type 50).
  // CII: also the line's object identifier (BT-128) and the tender or lot reference (BT-17), not the project.
  const BR_52 = 'Each Additional supporting document (BG-24) shall contain a Supporting document reference (BT-122).';
  if (doc.invoicedObjectIdentifier !== undefined && blank(doc.invoicedObjectIdentifier.id)) out.push(finding('BR-52', BR_52, 'BT-18', 'invoicedObjectIdentifier.id'));
  if (!cii && doc.projectReference !== undefined && blank(doc.projectReference) && isCreditNoteType(doc.typeCode)) out.push(finding('BR-52', BR_52, 'BT-11', 'projectReference'));
  if (cii && doc.tenderOrLotReference !== undefined && blank(doc.tenderOrLotReference)) out.push(finding('BR-52', BR_52, 'BT-17', 'tenderOrLotReference'));
  doc.attachments.forEach((attachment, i) => {
    if (blank(attachment.reference)) out.push(finding('BR-52', BR_52, 'BT-122', `attachments[${i}].reference`));
  });
  if (cii) {
    doc.lines.forEach((line, i) => {
      if (line.objectIdentifier !== undefined && blank(line.objectIdentifier.id)) out.push(finding('BR-52', BR_52, 'BT-128', `lines[${i}].objectIdentifier.id`));
    });
  }

  // BR-53: some VAT total amount is in the VAT accounting currency; when BT-6 equals BT-5, BT-110 is one.
  // CII: context the monetary summation; also fires when BT-6 equals BT-5.
  const accounting = doc.vatAccountingCurrency;
  const noAccountingTotal = cii
    ? summation && (totals.vatTotalInAccountingCurrency === undefined || accounting === doc.currency)
    : totals.vatTotalInAccountingCurrency === undefined && !(accounting === doc.currency && totals.vatTotal !== undefined);
  if (accounting !== undefined && noAccountingTotal) {
    out.push(finding('BR-53', 'If the VAT accounting currency code (BT-6) is present, the Invoice total VAT amount in accounting currency (BT-111) shall be provided.', 'BT-111', 'totals.vatTotalInAccountingCurrency'));
  }

  // CII: BR-55 and BR-57 want a non-blank term; UBL only its presence.
  doc.precedingInvoices.forEach((preceding, i) => {
    if (cii ? blank(preceding.reference) : preceding.reference === undefined) {
      out.push(finding('BR-55', 'Each Preceding Invoice reference (BG-3) shall contain a Preceding Invoice reference (BT-25).', 'BT-25', `precedingInvoices[${i}].reference`));
    }
  });

  if (doc.delivery?.address !== undefined && (cii ? blank(doc.delivery.address.country) : doc.delivery.address.country === undefined)) {
    out.push(finding('BR-57', 'Each Deliver to address (BG-15) shall contain a Deliver to country code (BT-80).', 'BT-80', 'delivery.address.country'));
  }
  // CII: BR-62 … BR-65 want a non-blank scheme; UBL only its presence.
  const noScheme = (id: { readonly scheme?: string }): boolean => (cii ? blank(id.scheme) : id.scheme === undefined);
  if (seller.electronicAddress !== undefined && noScheme(seller.electronicAddress)) {
    out.push(finding('BR-62', 'The Seller electronic address (BT-34) shall have a Scheme identifier.', 'BT-34-1', 'seller.electronicAddress.scheme'));
  }
  if (buyer.electronicAddress !== undefined && noScheme(buyer.electronicAddress)) {
    out.push(finding('BR-63', 'The Buyer electronic address (BT-49) shall have a Scheme identifier.', 'BT-49-1', 'buyer.electronicAddress.scheme'));
  }

  doc.lines.forEach((line, i) => {
    const at = `lines[${i}]`;
    if (blank(line.id)) out.push(finding('BR-21', 'Each Invoice line (BG-25) shall have an Invoice line identifier (BT-126).', 'BT-126', `${at}.id`));
    if (line.quantity === undefined) out.push(finding('BR-22', 'Each Invoice line (BG-25) shall have an Invoiced quantity (BT-129).', 'BT-129', `${at}.quantity`));
    if (line.unitCode === undefined) out.push(finding('BR-23', 'An Invoice line (BG-25) shall have an Invoiced quantity unit of measure code (BT-130).', 'BT-130', `${at}.unitCode`));
    if (line.netAmount === undefined) out.push(finding('BR-24', 'Each Invoice line (BG-25) shall have an Invoice line net amount (BT-131).', 'BT-131', `${at}.netAmount`));
    if (blank(line.item.name)) out.push(finding('BR-25', 'Each Invoice line (BG-25) shall contain the Item name (BT-153).', 'BT-153', `${at}.item.name`));
    const { netPrice, grossPrice } = line.price;
    if (netPrice === undefined) out.push(finding('BR-26', 'Each Invoice line (BG-25) shall contain the Item net price (BT-146).', 'BT-146', `${at}.price.netPrice`));
    // An absent price compares as false, so BR-27 fires with BR-26.
    if (netPrice === undefined || notAtLeastZero(netPrice)) out.push(finding('BR-27', 'The Item net price (BT-146) shall NOT be negative.', 'BT-146', `${at}.price.netPrice`));
    if (grossPrice !== undefined && notAtLeastZero(grossPrice)) out.push(finding('BR-28', 'The Item gross price (BT-148) shall NOT be negative.', 'BT-148', `${at}.price.grossPrice`));
    if (line.period?.start !== undefined && line.period.end !== undefined && endBeforeStart(line.period.start, line.period.end)) {
      out.push(finding('BR-30', 'The Invoice line period end date (BT-135) shall be later or equal to the Invoice line period start date (BT-134).', 'BT-135', `${at}.period.end`));
    }
    line.allowances.forEach((allowance, j) => {
      if (allowance.amount === undefined) {
        out.push(finding('BR-41', 'Each Invoice line allowance (BG-27) shall have an Invoice line allowance amount (BT-136).', 'BT-136', `${at}.allowances[${j}].amount`));
      }
      if (allowance.reason === undefined && allowance.reasonCode === undefined) {
        out.push(finding('BR-42', 'Each Invoice line allowance (BG-27) shall have a reason (BT-139) or a reason code (BT-140).', 'BT-139', `${at}.allowances[${j}].reason`));
      }
    });
    line.charges.forEach((charge, j) => {
      if (charge.amount === undefined) out.push(finding('BR-43', 'Each Invoice line charge (BG-28) shall have an Invoice line charge amount (BT-141).', 'BT-141', `${at}.charges[${j}].amount`));
      if (charge.reason === undefined && charge.reasonCode === undefined) {
        out.push(finding('BR-44', 'Each Invoice line charge (BG-28) shall have a reason (BT-144) or a reason code (BT-145).', 'BT-144', `${at}.charges[${j}].reason`));
      }
    });
    // Both syntaxes test that the two elements exist: a present but empty name or value passes.
    line.item.attributes.forEach((attribute, j) => {
      if (attribute.name === undefined || attribute.value === undefined) {
        out.push(finding('BR-54', 'Each Item attribute (BG-32) shall contain an Item attribute name (BT-160) and value (BT-161).', 'BG-32', `${at}.item.attributes[${j}]`));
      }
    });
    const standardId = line.item.standardId;
    if (standardId !== undefined && noScheme(standardId)) {
      out.push(finding('BR-64', 'The Item standard identifier (BT-157) shall have a Scheme identifier.', 'BT-157-1', `${at}.item.standardId.scheme`));
    }
    line.item.classifications.forEach((classification, j) => {
      if (noScheme(classification)) {
        out.push(finding('BR-65', 'The Item classification identifier (BT-158) shall have a Scheme identifier.', 'BT-158-1', `${at}.item.classifications[${j}].scheme`));
      }
    });
  });

  return out;
};
