import { PageDto } from '../http/responses';
import { ContactInputDto, PartnerAddressDto, PartnerIdentifiersDto } from './partner.dto';

export class ContactDto extends ContactInputDto {
  /** @example "0193a2b4-…" */
  id!: string;
}

export class PaymentTermsViewDto {
  /** @example "net" */
  kind!: 'due_on_receipt' | 'net' | 'end_of_month' | 'instalments';
  days?: number;
  instalments?: { percent: string; days: number }[];
}

/** A partner: a company or person the tenant sells to or buys from. */
export class PartnerDto {
  /** @example "0193a2b4-5c6d-7e8f-9a0b-1c2d3e4f5a6b" */
  id!: string;
  /** Increases with every change; the ETag. */
  version!: number;
  kind!: 'company' | 'person';
  /** @example "Acme Industries SAS" */
  legalName!: string;
  tradingName?: string;
  /**
   * The partner's id in the tenant's own systems.
   * @example "CRM-42"
   */
  externalId?: string;
  identifiers!: PartnerIdentifiersDto;
  addresses!: PartnerAddressDto[];
  contacts!: ContactDto[];
  /** @example "EUR" */
  defaultCurrency?: string;
  defaultPaymentTerms?: PaymentTermsViewDto;
  status!: 'active' | 'archived';
  createdAt!: Date;
  updatedAt!: Date;
}

export class PartnerPageDto extends PageDto {
  items!: PartnerDto[];
}

/** A contact found by a search, with how well it matched. */
export class ContactMatchDto {
  partnerId!: string;
  partnerName!: string;
  contact!: ContactDto;
  /** 0–100: exact 100, prefix 80–89, substring 60–69, fuzzy 1–49. */
  score!: number;
  matchedOn!: 'name' | 'email' | 'phone';
  matchKind!: 'exact' | 'prefix' | 'substring' | 'fuzzy';
}
