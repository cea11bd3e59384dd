import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsInt, IsOptional, IsString, MaxLength, Min, Max, ValidateNested } from 'class-validator';
import { PageQueryDto } from '../http/paging.dto';

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
  @IsOptional()
  @IsString()
  city?: string;

  /** @example "75002" */
  @IsOptional()
  @IsString()
  postalCode?: string;

  /** Region, state or province. */
  @IsOptional()
  @IsString()
  subdivision?: string;

  /**
   * ISO 3166-1 alpha-2 country code.
   * @example "FR"
   */
  @IsString()
  countryCode!: string;
}

export class PartnerAddressDto extends PostalAddressDto {
  /** What the address is for; `billing` when absent. */
  @IsOptional()
  @IsIn(['billing', 'delivery', 'registered'])
  purpose?: 'billing' | 'delivery' | 'registered';
}

export class LegalRegistrationDto {
  /** @example "73282932000074" */
  @IsString()
  value!: string;

  /** ISO 6523 scheme, e.g. `0002` (SIRENE). */
  @IsOptional()
  @IsString()
  scheme?: string;
}

/** Where documents are delivered electronically (BT-34 / BT-49). */
export class ElectronicAddressDto {
  /**
   * EAS scheme: four digits.
   * @example "0009"
   */
  @IsString()
  scheme!: string;

  /** @example "73282932000074" */
  @IsString()
  value!: string;
}

export class PartnerIdentifiersDto {
  /**
   * VAT identifier with its country prefix (BT-31 / BT-48).
   * @example "FR32123456789"
   */
  @IsOptional()
  @IsString()
  vatId?: string;

  /** Local tax registration id, when there is no VAT id (BT-32). */
  @IsOptional()
  @IsString()
  taxRegistrationId?: string;

  @IsOptional()
  @ValidateNested()
  @Type(() => LegalRegistrationDto)
  legalRegistration?: LegalRegistrationDto;

  @IsOptional()
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
  @IsString()
  percent!: string;

  /** Days after the issue date. */
  @IsInt()
  @Min(0)
  @Max(3650)
  days!: number;
}

/** When an invoice is due (docs: payment terms and due dates). */
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
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(3650)
  days?: number;

  /** For `instalments`. */
  @IsOptional()
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
  @IsOptional()
  @IsString()
  email?: string;

  /** @example "+33 1 23 45 67 89" */
  @IsOptional()
  @IsString()
  phone?: string;

  /**
   * What the person does for the partner.
   * @example "accounts payable"
   */
  @IsOptional()
  @IsString()
  role?: string;
}

/** Changes to one contact: only the fields given change. */
export class ContactChangesDto {
  /** @example "Jeanne Martin-Leroy" */
  @IsOptional()
  @IsString()
  @MaxLength(200)
  name?: string;

  /** @example "jeanne.martin@example.com" */
  @IsOptional()
  @IsString()
  email?: string;

  /** @example "+33 1 23 45 67 89" */
  @IsOptional()
  @IsString()
  phone?: string;

  /** @example "purchasing" */
  @IsOptional()
  @IsString()
  role?: string;
}

/** A contact of a replacement list: with `id` to keep an existing contact, without to add one. */
export class ReplacementContactDto extends ContactInputDto {
  @IsOptional()
  @IsString()
  id?: string;
}

/** The editable details of a partner. */
export class PartnerDetailsDto {
  /** `company` (default) or `person`. */
  @IsOptional()
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
  @IsOptional()
  @IsString()
  tradingName?: string;

  @IsOptional()
  @ValidateNested()
  @Type(() => PartnerIdentifiersDto)
  identifiers?: PartnerIdentifiersDto;

  @IsOptional()
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => PartnerAddressDto)
  addresses?: PartnerAddressDto[];

  /**
   * ISO 4217 code of the currency invoices use unless the partnership says otherwise.
   * @example "EUR"
   */
  @IsOptional()
  @IsString()
  defaultCurrency?: string;

  @IsOptional()
  @ValidateNested()
  @Type(() => PaymentTermsDto)
  defaultPaymentTerms?: PaymentTermsDto;
}

/** A new partner with its contacts. */
export class CreatePartnerDto extends PartnerDetailsDto {
  @IsOptional()
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => ContactInputDto)
  contacts?: ContactInputDto[];
}

export class ReplaceContactsDto {
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
  @IsString()
  q!: string;

  /** At most this many matches (1–50, default 20). */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  limit?: number;
}
