import type { Provider } from '@nestjs/common';
import type { ApiConfig } from '../config';
import { API_CONFIG } from '../composition/tokens';
import { DocumentFiles } from './document-files';
import { FileWork } from './file-work';

export { DocumentFiles, issuedDocument } from './document-files';
export type { DocumentFile, DocumentFilesCounts, IssuedDocument } from './document-files';
export { FileWork } from './file-work';
export type { FileJobs, FileWorkCounts, FileWorkSettings } from './file-work';
export type { FileCheck, FileJob, FileJobResult, PdfLook } from './file-jobs';
export { ResponseClosed } from './response-closed';

/** The file work of the API (ADR 0028), for the API module: the threads and turns of file requests, and the files kept. */
export const FILES_PROVIDERS: Provider[] = [
  { provide: FileWork, useFactory: (config: ApiConfig) => new FileWork(config.files), inject: [API_CONFIG] },
  { provide: DocumentFiles, useFactory: (config: ApiConfig) => new DocumentFiles(config.files.cacheBytes), inject: [API_CONFIG] },
];
