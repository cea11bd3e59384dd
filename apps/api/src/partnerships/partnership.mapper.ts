import type { ApprovalRule, PartnershipState } from '@invoicing/invoice';
import { toDecimalResponse, toMoneyResponse } from '../http/responses';
import { toPaymentTermsResponse } from '../partners/partner.mapper';
import type { ApprovalRuleViewDto, PartnershipDto } from './partnership.response.dto';

/** A partnership as the API answers it, with its terms, negotiated prices and policies. */
export function toPartnershipResponse(state: PartnershipState): PartnershipDto {
  return {
    id: state.id,
    version: state.version,
    sellerId: state.sellerId,
    buyerId: state.buyerId,
    currency: state.currency,
    paymentTerms: toPaymentTermsResponse(state.paymentTerms),
    priceOverrides: state.priceOverrides.map((override) => ({ marketableId: override.marketableId, unitPrice: toDecimalResponse(override.unitPrice) })),
    numbering: { invoice: state.numbering.invoice, creditNote: state.numbering.creditNote },
    policy: { approval: toApprovalRuleResponse(state.policy.approval), deliveryFormat: state.policy.deliveryFormat },
    status: state.status,
    validFrom: state.validFrom,
    validUntil: state.validUntil,
    buyerReference: state.buyerReference,
    createdAt: state.createdAt,
    updatedAt: state.updatedAt,
  };
}

/** Only `above` has a threshold. */
function toApprovalRuleResponse(rule: ApprovalRule): ApprovalRuleViewDto {
  if (rule.kind === 'none') return { kind: rule.kind };
  const four = rule.separateApprover === true ? ({ separateApprover: true } as const) : {};
  return rule.kind === 'above' ? { kind: rule.kind, threshold: toMoneyResponse(rule.threshold), ...four } : { kind: rule.kind, ...four };
}
