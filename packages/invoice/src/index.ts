import mongoose from 'mongoose'; import { readFileSync } from 'node:fs'; import { x } from '@invoicing/core'; export const y = [mongoose, readFileSync, x];
