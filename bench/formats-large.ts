/**
 * Run by bench:formats in a fresh process: builds a 10,000-line UBL invoice from an official example, then reads,
 * validates and writes it, and prints one JSON line with the time and the process's max RSS.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { readInvoice, writeInvoice } from '@invoicing/integration/formats';

const LINES = 10_000;

export async function main(): Promise<void> {
  const baselineRss = process.memoryUsage().rss;
  const base = readFileSync(resolve(__dirname, '../../shared/fixtures/en16931/ubl/BIS3_Invoice_positive.XML'), 'utf8');
  const line = /<cac:InvoiceLine>[\s\S]*?<\/cac:InvoiceLine>/.exec(base)?.[0];
  if (!line) throw new Error('no invoice line in the example');
  const lines = Array.from({ length: LINES }, (_, i) => line.replace(/<cbc:ID>[^<]*<\/cbc:ID>/, `<cbc:ID>${i + 1}</cbc:ID>`)).join('\n');
  const xml = Buffer.from(base.replace(/<cac:InvoiceLine>[\s\S]*<\/cac:InvoiceLine>/, lines));
  const start = performance.now();
  const { document, syntax } = await readInvoice(xml, { maxBytes: 64 * 1024 * 1024 });
  writeInvoice(document, syntax);
  const ms = performance.now() - start;
  console.log(JSON.stringify({ lines: document.lines.length, bytes: xml.length, ms, baselineRss, maxRss: process.resourceUsage().maxRSS * 1024 }));
}
