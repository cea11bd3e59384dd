import type { Type } from '@nestjs/common';
import { ContactsController, PartnersController } from './partners.controller';

/** The controllers of partners and their contacts. */
export const PARTNERS_CONTROLLERS: Type[] = [PartnersController, ContactsController];
