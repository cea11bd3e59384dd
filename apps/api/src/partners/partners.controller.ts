import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, Query, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Cursor, TenantId } from '@invoicing/core';
import {
  AddContact,
  ArchivePartner,
  CreatePartner,
  GetPartner,
  ListPartners,
  RemoveContact,
  ReplaceContacts,
  SearchContacts,
  UpdateContact,
  UpdatePartner,
  type ContactId,
  type PartnerDetails,
  type PartnerId,
} from '@invoicing/invoice';
import type { FastifyReply } from 'fastify';
import { Requires } from '../auth/permissions';
import { Tenant } from '../auth/auth.guard';
import { IfMatch, type ExpectedVersion } from '../http/etag';
import { Idempotent } from '../http/idempotency.interceptor';
import { IdempotentRequestId } from '../http/idempotent-id';
import { ApiIdempotent, ApiIfMatch, ApiProblems } from '../http/openapi';
import { toPageResponse } from '../http/responses';
import { ContactChangesDto, ContactInputDto, CreatePartnerDto, ListPartnersQueryDto, PartnerDetailsDto, ReplaceContactsDto, SearchContactsQueryDto } from './partner.dto';
import { toContactMatchResponse, toContactResponse, toPartnerResponse } from './partner.mapper';
import { ContactDto, ContactMatchDto, PartnerDto, PartnerPageDto } from './partner.response.dto';

/**
 * Partners: the companies and people the tenant sells to and buys from, with their contacts.
 * See the glossary (/docs/guide/glossary#partner).
 */
@ApiTags('Partners')
@Controller('v1/partners')
export class PartnersController {
  constructor(
    private readonly createPartner: CreatePartner,
    private readonly updatePartner: UpdatePartner,
    private readonly archivePartner: ArchivePartner,
    private readonly getPartner: GetPartner,
    private readonly listPartners: ListPartners,
    private readonly replaceContacts: ReplaceContacts,
    private readonly addContact: AddContact,
    private readonly updateContact: UpdateContact,
    private readonly removeContact: RemoveContact,
  ) {}

  /**
   * Register a partner
   *
   * Creates a partner with its details and contacts. The answer's `Location` names the new partner.
   */
  @Post()
  @Idempotent()
  @Requires('partners:write')
  @ApiIdempotent()
  async create(
    @Tenant() tenantId: TenantId,
    @Body() body: CreatePartnerDto,
    @Res({ passthrough: true }) reply: FastifyReply,
    @IdempotentRequestId('Partner') id: PartnerId | undefined,
  ): Promise<PartnerDto> {
    const partner = await this.createPartner.execute({ ...(body as PartnerDetails), contacts: body.contacts, tenantId, ...(id === undefined ? {} : { id }) });
    void reply.header('location', `/v1/partners/${partner.id}`);
    return toPartnerResponse(partner);
  }

  /**
   * List partners
   *
   * Partners in creation order, page by page: pass `nextCursor` back as `cursor`.
   */
  @Get()
  @ApiProblems()
  async list(@Tenant() tenantId: TenantId, @Query() query: ListPartnersQueryDto): Promise<PartnerPageDto> {
    const page = await this.listPartners.execute({
      tenantId,
      filter: query.status ? { status: query.status } : {},
      page: { limit: query.limit, cursor: query.cursor as Cursor | undefined },
    });
    return toPageResponse(page, toPartnerResponse);
  }

  /**
   * Get a partner
   *
   * The partner with its contacts; the `ETag` is its version, for `If-Match` on changes.
   */
  @Get(':partnerId')
  @ApiProblems(404)
  async get(@Tenant() tenantId: TenantId, @Param('partnerId') partnerId: string): Promise<PartnerDto> {
    return toPartnerResponse(await this.getPartner.execute({ tenantId, partnerId: partnerId as PartnerId }));
  }

  /**
   * Change a partner's details
   *
   * Replaces the partner's details (not its contacts). Invoices already issued keep the snapshot they were issued with.
   */
  @Put(':partnerId')
  @Requires('partners:write')
  @ApiIfMatch()
  async update(
    @Tenant() tenantId: TenantId,
    @Param('partnerId') partnerId: string,
    @Body() body: PartnerDetailsDto,
    @IfMatch() expectedVersion: ExpectedVersion | undefined,
  ): Promise<PartnerDto> {
    return toPartnerResponse(await this.updatePartner.execute({ tenantId, partnerId: partnerId as PartnerId, details: body as PartnerDetails, expectedVersion }));
  }

  /**
   * Archive a partner
   *
   * An archived partner keeps its history but cannot be used for new partnerships or invoices. It keeps its external
   * id too, but no longer holds it: another partner may take it, and usage events naming it find that one.
   */
  @Post(':partnerId/archive')
  @HttpCode(200)
  @Requires('partners:write')
  @ApiIfMatch()
  async archive(@Tenant() tenantId: TenantId, @Param('partnerId') partnerId: string, @IfMatch() expectedVersion: ExpectedVersion | undefined): Promise<PartnerDto> {
    return toPartnerResponse(await this.archivePartner.execute({ tenantId, partnerId: partnerId as PartnerId, expectedVersion }));
  }

  /**
   * Replace all contacts
   *
   * The partner's contacts become this list: an entry with the `id` of an existing contact keeps (and updates) it,
   * an entry without `id` adds one, and contacts not listed are removed.
   */
  @Put(':partnerId/contacts')
  @Requires('partners:write')
  @ApiIfMatch()
  async replace(
    @Tenant() tenantId: TenantId,
    @Param('partnerId') partnerId: string,
    @Body() body: ReplaceContactsDto,
    @IfMatch() expectedVersion: ExpectedVersion | undefined,
  ): Promise<PartnerDto> {
    const contacts = body.contacts.map((contact) => ({ ...contact, id: contact.id as ContactId | undefined }));
    return toPartnerResponse(await this.replaceContacts.execute({ tenantId, partnerId: partnerId as PartnerId, contacts, expectedVersion }));
  }

  /**
   * Add a contact
   *
   * Adds one contact to the partner; the answer is the new contact, and `Location` names it.
   */
  @Post(':partnerId/contacts')
  @Idempotent()
  @Requires('partners:write')
  @ApiIdempotent()
  @ApiIfMatch()
  async add(
    @Tenant() tenantId: TenantId,
    @Param('partnerId') partnerId: string,
    @Body() body: ContactInputDto,
    @IfMatch() expectedVersion: ExpectedVersion | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
    @IdempotentRequestId('Contact') id: ContactId | undefined,
  ): Promise<ContactDto> {
    const contact = await this.addContact.execute({ tenantId, partnerId: partnerId as PartnerId, contact: body, expectedVersion, ...(id === undefined ? {} : { id }) });
    void reply.header('location', `/v1/partners/${partnerId}/contacts/${contact.id}`);
    return toContactResponse(contact);
  }

  /**
   * Change a contact
   *
   * Only the fields given change.
   */
  @Patch(':partnerId/contacts/:contactId')
  @Requires('partners:write')
  @ApiIfMatch()
  async change(
    @Tenant() tenantId: TenantId,
    @Param('partnerId') partnerId: string,
    @Param('contactId') contactId: string,
    @Body() body: ContactChangesDto,
    @IfMatch() expectedVersion: ExpectedVersion | undefined,
  ): Promise<ContactDto> {
    return toContactResponse(await this.updateContact.execute({ tenantId, partnerId: partnerId as PartnerId, contactId: contactId as ContactId, changes: body, expectedVersion }));
  }

  /**
   * Remove a contact
   *
   * Answers with the partner as it is without the contact.
   */
  @Delete(':partnerId/contacts/:contactId')
  @Requires('partners:write')
  @ApiIfMatch()
  async remove(
    @Tenant() tenantId: TenantId,
    @Param('partnerId') partnerId: string,
    @Param('contactId') contactId: string,
    @IfMatch() expectedVersion: ExpectedVersion | undefined,
  ): Promise<PartnerDto> {
    return toPartnerResponse(await this.removeContact.execute({ tenantId, partnerId: partnerId as PartnerId, contactId: contactId as ContactId, expectedVersion }));
  }
}

/** Contacts across all partners of the tenant. */
@ApiTags('Partners')
@Controller('v1/contacts')
export class ContactsController {
  constructor(private readonly searchContacts: SearchContacts) {}

  /**
   * Search contacts
   *
   * Finds contacts by part of a name, email or phone number across the tenant's partners, best match first, each
   * with a relevance `score` (exact 100, prefix 80–89, substring 60–69, fuzzy below 50).
   */
  @Get('search')
  @ApiProblems()
  async search(@Tenant() tenantId: TenantId, @Query() query: SearchContactsQueryDto): Promise<ContactMatchDto[]> {
    return (await this.searchContacts.execute({ tenantId, query: query.q, limit: query.limit })).map(toContactMatchResponse);
  }
}
