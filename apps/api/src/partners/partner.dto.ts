import { Type } from 'class-transformer';
import { MAX_CONTACTS_PER_PARTNER } from '@invoicing/invoice';
import { ArrayMaxSize, IsArray, IsIn, IsInt, IsOptional, IsString, MaxLength, Min, Max, ValidateNested } from 'class-validator';
import { Optional } from '../http/validation';
import { FORMATS, Format, SchemaRule, TextLength } from '../docs/request-strictness';
import { DecimalDigits, PageQueryDto } from '../http/paging.dto';

/** A postal address (EN 16931 BG-5 / BG-8). */
export class PostalAddressDto {
  /**
   * Street, building, floor: at most three lines.
   * @example ["12 rue de la Paix"]
   */
  @IsArray()
  @ArrayMaxSize(3)
  @IsString({ each: true })
  lines!: string[];

  /** @example "Paris" */
  @Optional()
  @IsString()
  city?: string;

  /** @example "75002" */
  @TextLength(20)
  @Optional()
  @IsString()
  postalCode?: string;

  /** Region, state or province. */
  @Optional()
  @IsString()
  subdivision?: string;

  /**
   * ISO 3166-1 alpha-2 country code.
   * @example "FR"
   */
  @Format(FORMATS.country)
  @IsString()
  countryCode!: string;
}

export class PartnerAddressDto extends PostalAddressDto {
  /** What the address is for; `billing` when absent. */
  @Optional()
  @IsIn(['billing', 'delivery', 'registered'])
  purpose?: 'billing' | 'delivery' | 'registered';
}

export class LegalRegistrationDto {
  /** @example "73282932000074" */
  @TextLength(50)
  @IsString()
  value!: string;

  /** ISO 6523 scheme, e.g. `0002` (SIRENE). */
  @TextLength(10)
  @Optional()
  @IsString()
  scheme?: string;
}

/** Where documents are delivered electronically (BT-34 / BT-49). */
export class ElectronicAddressDto {
  /**
   * EAS scheme: four digits.
   * @example "0009"
   */
  @Format(FORMATS.easScheme)
  @IsString()
  scheme!: string;

  /** @example "73282932000074" */
  @TextLength(100)
  @IsString()
  value!: string;
}

export class PartnerIdentifiersDto {
  /**
   * VAT identifier with its country prefix (BT-31 / BT-48).
   * @example "FR32123456789"
   */
  @Format(FORMATS.vatId)
  @Optional()
  @IsString()
  vatId?: string;

  /** Local tax registration id, when there is no VAT id (BT-32). */
  @TextLength(50)
  @Optional()
  @IsString()
  taxRegistrationId?: string;

  @Optional()
  @ValidateNested()
  @Type(() => LegalRegistrationDto)
  legalRegistration?: LegalRegistrationDto;

  @Optional()
  @ValidateNested()
  @Type(() => ElectronicAddressDto)
  electronicAddress?: ElectronicAddressDto;
}

/** One instalment of payment terms. */
export class InstalmentDto {
  /**
   * Share of the total, as a decimal string; the shares add up to 100.
   * @example "30"
   */
  // Checked only under terms of kind `instalments`, which state its format (PaymentTermsDto).
  @Format({ type: 'string' })
  @IsString()
  percent!: string;

  /** Days after the issue date. */
  @IsInt()
  @Min(0)
  @Max(3650)
  days!: number;
}

/** When an invoice is due (docs: payment terms and due dates). */
@SchemaRule({
  allOf: [
    { if: { properties: { kind: { enum: ['net', 'end_of_month'] } }, required: ['kind'] }, then: { required: ['days'] } },
    {
      if: { properties: { kind: { const: 'instalments' } }, required: ['kind'] },
      then: { required: ['instalments'], properties: { instalments: { minItems: 1, items: { properties: { percent: FORMATS.positiveDecimal } } } } },
    },
  ],
})
export class PaymentTermsDto {
  /**
   * `due_on_receipt`, `net` (days after issue), `end_of_month` (days after the end of the issue month) or `instalments`.
   * @example "net"
   */
  @IsIn(['due_on_receipt', 'net', 'end_of_month', 'instalments'])
  kind!: 'due_on_receipt' | 'net' | 'end_of_month' | 'instalments';

  /**
   * For `net` and `end_of_month`.
   * @example 30
   */
  @Optional()
  @IsInt()
  @Min(0)
  @Max(3650)
  days?: number;

  /** For `instalments`. */
  @Optional()
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => InstalmentDto)
  instalments?: InstalmentDto[];
}

/** A person to talk to at a partner. */
export class ContactInputDto {
  /** @example "Jeanne Martin" */
  @IsString()
  @MaxLength(200)
  name!: string;

  /** @example "jeanne.martin@example.com" */
  @Format(FORMATS.email)
  @Optional()
  @IsString()
  email?: string;

  /** @example "+33 1 23 45 67 89" */
  @Format(FORMATS.phone)
  @Optional()
  @IsString()
  phone?: string;

  /**
   * What the person does for the partner.
   * @example "accounts payable"
   */
  @TextLength(100)
  @Optional()
  @IsString()
  role?: string;
}

/** Changes to one contact: only the fields given change. */
export class ContactChangesDto {
  /** @example "Jeanne Martin-Leroy" */
  @Optional()
  @IsString()
  @MaxLength(200)
  name?: string;

  /** @example "jeanne.martin@example.com" */
  @Format(FORMATS.email)
  @Optional()
  @IsString()
  email?: string;

  /** @example "+33 1 23 45 67 89" */
  @Format(FORMATS.phone)
  @Optional()
  @IsString()
  phone?: string;

  /** @example "purchasing" */
  @TextLength(100)
  @Optional()
  @IsString()
  role?: string;
}

/** A contact of a replacement list: with `id` to keep an existing contact, without to add one. */
export class ReplacementContactDto extends ContactInputDto {
  @Format(FORMATS.id)
  @Optional()
  @IsString()
  id?: string;
}

/** The editable details of a partner. */
export class PartnerDetailsDto {
  /** `company` (default) or `person`. */
  @Optional()
  @IsIn(['company', 'person'])
  kind?: 'company' | 'person';

  /**
   * The registered name (BT-27 / BT-44).
   * @example "Acme Industries SAS"
   */
  @IsString()
  @MaxLength(200)
  legalName!: string;

  /** @example "Acme" */
  @Optional()
  @IsString()
  tradingName?: string;

  /**
   * The partner's id in your own systems (a CRM, a billing integration): 1 to 100 visible ASCII characters, held by
   * one active partner per tenant (409 `partner.external_id_taken`); an archived partner's may be taken again. Usage
   * events may name their buyer by it. Left out of a change, it is removed.
   * @example "CRM-42"
   */
  @Optional()
  @Format(FORMATS.externalId)
  @IsString()
  externalId?: string;

  @Optional()
  @ValidateNested()
  @Type(() => PartnerIdentifiersDto)
  identifiers?: PartnerIdentifiersDto;

  @Optional()
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => PartnerAddressDto)
  addresses?: PartnerAddressDto[];

  /**
   * ISO 4217 code of the currency invoices use unless the partnership says otherwise.
   * @example "EUR"
   */
  @Format(FORMATS.currency)
  @Optional()
  @IsString()
  defaultCurrency?: string;

  @Optional()
  @ValidateNested()
  @Type(() => PaymentTermsDto)
  defaultPaymentTerms?: PaymentTermsDto;
}

/** A new partner with its contacts. */
export class CreatePartnerDto extends PartnerDetailsDto {
  /** At most 200 (400 `partner.too_many_contacts`). */
  @Format({ type: 'array', maxItems: MAX_CONTACTS_PER_PARTNER })
  @Optional()
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => ContactInputDto)
  contacts?: ContactInputDto[];
}

export class ReplaceContactsDto {
  /** At most 200 (400 `partner.too_many_contacts`). */
  @Format({ type: 'array', maxItems: MAX_CONTACTS_PER_PARTNER })
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => ReplacementContactDto)
  contacts!: ReplacementContactDto[];
}

export class ListPartnersQueryDto extends PageQueryDto {
  /** Only partners in this status. */
  @IsOptional()
  @IsIn(['active', 'archived'])
  status?: 'active' | 'archived';

}

export class SearchContactsQueryDto {
  /**
   * Part of a name, an email or a phone number (at least 2 characters).
   * @example "mart"
   */
  @Format({ minLength: 2, pattern: '\\S[\\s\\S]*\\S' })
  @IsString()
  @MaxLength(100)
  q!: string;

  /** At most this many matches (1–50, default 20). */
  @Format({ minimum: 1, maximum: 50 })
  @IsOptional()
  @DecimalDigits()
  @IsInt()
  limit?: number;
}
