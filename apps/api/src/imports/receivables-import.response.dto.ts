/** The counts of an import, as it goes and at the end. */
export class ImportCountsDto {
  /** @example 1000 */
  rowsRead!: number;
  /** Rows whose invoice was recorded now. @example 983 */
  imported!: number;
  /** Rows that raised the amount applied or completed a contact. @example 0 */
  updated!: number;
  /** Rows found as they were recorded. @example 1 */
  unchanged!: number;
  /** Rows refused; each is in the error report. @example 16 */
  refused!: number;
}

/** Why an import stopped before the end of its file. */
export class ImportFailureDto {
  /** @example "csv.missing_columns" */
  code!: string;
  /** @example "the file has no column for total" */
  message!: string;
}

/** An accounts-receivable file sent to the API, being imported or imported. */
export class ReceivablesImportDto {
  /** @example "0193a2b4-5c6d-7e8f-9a0b-1c2d3e4f5a70" */
  id!: string;
  /** The tenant's own company, seller of the imported invoices. @example "0193a2b4-5c6d-7e8f-9a0b-1c2d3e4f5a6b" */
  sellerId!: string;
  /**
   * `running` while rows are imported; `completed` at the end of the file; `failed` when it stopped (see `error`);
   * `interrupted` when the process carrying it out stopped: send the file again, nothing is imported twice.
   * @example "completed"
   */
  status!: 'running' | 'completed' | 'failed' | 'interrupted';
  counts!: ImportCountsDto;
  /** Columns of the file no field reads: the first 100, each cut to 100 characters. @example ["Memo"] */
  ignoredColumns!: string[];
  /** How many columns of the file no field reads. @example 1 */
  ignoredColumnCount!: number;
  startedAt!: Date;
  /** The last progress written. */
  updatedAt!: Date;
  finishedAt?: Date;
  error?: ImportFailureDto;
}

/** A problem of a refused row. */
export class RowProblemDto {
  /** The file's column at fault, when one is. @example "Bill Total" */
  column?: string;
  /** The receivable's field at fault, when one is. @example "total" */
  field?: string;
  /** @example "import.negative_amount" */
  code!: string;
  /** @example "-119.00 is negative; give credit notes as their own documents" */
  message!: string;
}

/** A row an import refused: what to fix. */
export class RefusedRowDto {
  /** The row's number as a spreadsheet shows it (the header is row 1). @example 4 */
  row!: number;
  /** @example "AR-2026-0423" */
  invoiceNumber?: string;
  /** The row's values, in the file's column order. @example ["AR-2026-0423", "Hafenblick Logistik GmbH", "", "", "2026-07-20", "Net 30", "-119.00", "0.00", "Pending", "EUR"] */
  values!: string[];
  problems!: RowProblemDto[];
}

/** A page of refused rows, in row order. */
export class RefusedRowPageDto {
  items!: RefusedRowDto[];
  /** Pass back as `cursor` for the next page; null on the last. @example null */
  nextCursor!: string | null;
}
