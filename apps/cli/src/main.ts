import { Command, CommanderError, Option } from 'commander';
import { ApiClient } from './api-client';
import { convertFile, type Target } from './commands/convert';
import { exportInvoices } from './commands/export';
import { importFiles } from './commands/import';
import { login } from './commands/login';
import { validateFiles } from './commands/validate';
import { EXIT, createOutput, type Output } from './output';

/** The API the commands that need one talk to: `--api-url`, else `$INVOICING_API_URL`, else the local `npm start`. */
const DEFAULT_API_URL = 'http://localhost:3000';

/** What `convert` and `export` write. */
const TARGETS: Target[] = ['ubl', 'cii', 'pdf', 'factur-x'];

/** The `invoicing` program: its commands, each answering an exit code (see {@link EXIT}). */
export function program(done: (code: number) => void, signal: AbortSignal): Command {
  const root = new Command('invoicing')
    .description('Validate and convert e-invoices offline; import and export invoices through the invoicing API.')
    .option('--json', 'print results as JSON (for scripts); messages and progress still go to stderr')
    .addOption(new Option('--api-url <url>', 'the invoicing API').env('INVOICING_API_URL').default(DEFAULT_API_URL))
    .showHelpAfterError()
    .exitOverride();
  // A command that throws says why (as JSON with --json) and answers 1; cut short by Ctrl-C, it answers 130.
  const run = (shape: 'many' | 'one', command: (out: Output) => Promise<number>) => async () => {
    const out = createOutput(Boolean(root.opts().json), shape);
    try {
      const code = await command(out);
      out.end();
      done(code);
    } catch (error) {
      if (signal.aborted) {
        out.note('stopped');
        out.end();
        done(EXIT.interrupted);
      } else {
        out.fail(error);
        done(EXIT.failed);
      }
    }
  };
  const api = () => ApiClient.connect(String(root.opts().apiUrl));

  root
    .command('validate')
    .description('check UBL 2.1 and CII D16B files (and Factur-X PDFs) against the official XSDs and the EN 16931 rules, offline; exit 1 if one is invalid')
    .argument('<paths...>', 'files, folders (their .xml and .pdf files) or quoted glob patterns')
    .action((paths: string[]) => run('many', (out) => validateFiles(paths, out, signal))());

  root
    .command('convert')
    .description('rewrite an e-invoice (UBL, CII or a Factur-X PDF) in the other syntax, as a PDF or as a Factur-X, offline')
    .argument('<file>', 'a UBL, CII or Factur-X file')
    .addOption(new Option('--to <form>', 'what to write').choices(TARGETS).makeOptionMandatory())
    .option('-o, --out <file>', 'where to write it (default: stdout)')
    .option('--locale <locale>', 'PDF: the language amounts and dates are written in, e.g. de-DE', 'en-GB')
    .option('--force', 'replace the --out file if it exists (default: refuse)')
    .action((file: string, options: { to: Target; out?: string; locale: string; force?: boolean }) => run('one', (out) => convertFile(file, { ...options, signal }, out))());

  root
    .command('login')
    .description("sign a machine client in (client-credentials grant) and save its token for the API; the secret comes from $INVOICING_CLIENT_SECRET or stdin")
    .requiredOption('--client-id <id>', 'the Keycloak client, e.g. integrator-acme')
    .option('--client-secret-stdin', 'read the client secret from stdin')
    .addOption(new Option('--issuer <url>', "the realm the secret may go to, e.g. https://auth.example.com/realms/invoicing (default: the local stack's; an https API's own origin is trusted too)").env('INVOICING_ISSUER'))
    .action((options: { clientId: string; clientSecretStdin?: boolean; issuer?: string }) => run('one', (out) => login(String(root.opts().apiUrl).replace(/\/+$/, ''), { ...options, signal }, out))());

  root
    .command('import')
    .description('import files through the API: accounts-receivable CSV (--seller) as an import job with progress, UBL/CII/Factur-X (--partnership) as drafts; exit 2 if rows were refused')
    .argument('<paths...>', 'files, folders (their .csv, .xml and .pdf files) or quoted glob patterns')
    .option('--seller <partnerId>', 'CSV: the company that issued the invoices (the tenant\'s own partner)')
    .option('--partnership <partnershipId>', 'UBL/CII/Factur-X: the partnership the drafts belong to')
    .option('--mapping <file>', 'CSV: a mapping (YAML or JSON) for column names, date and decimal forms, default currency')
    .option('--errors <file>', 'CSV: write the refused rows there, to fix and send again')
    .option('--force', 'replace an --errors report already there, or remove it when no row is refused (default: refuse)')
    .action((paths: string[], options: { seller?: string; partnership?: string; mapping?: string; errors?: string; force?: boolean }) =>
      run('many', async (out) => importFiles(await api(), paths, { ...options, signal }, out))(),
    );

  root
    .command('export')
    .description('write invoices as e-invoice files, PDFs, Factur-X or one CSV list, through the API: those named, else those the filters match')
    .argument('[invoiceIds...]', 'the invoices to export (default: every one the filters match)')
    .addOption(new Option('--to <form>', 'what to write').choices([...TARGETS, 'csv']).default('ubl'))
    .option('-o, --out <folder>', 'where to write the files', '.')
    .option('--locale <locale>', 'PDF: the language amounts and dates are written in, e.g. de-DE', 'en-GB')
    .option('--status <statuses>', 'only these statuses, comma-separated (issued,partially_paid …)')
    .addOption(new Option('--kind <kind>', 'only invoices or only credit notes').choices(['invoice', 'credit_note']))
    .option('--partner <partnerId>', 'only documents of this partner, as seller or buyer')
    .option('--issued-from <date>', 'only documents issued on or after this day (YYYY-MM-DD)')
    .option('--issued-to <date>', 'only documents issued on or before this day (YYYY-MM-DD)')
    .option('--force', 'replace files already there (default: a file taken makes `<number>-<id>`, and invoices.csv is refused)')
    .action((ids: string[], options: { to: Target | 'csv'; out: string; locale: string; status?: string; kind?: string; partner?: string; issuedFrom?: string; issuedTo?: string; force?: boolean }) =>
      run('many', async (out) => {
        const { status, kind, partner, issuedFrom, issuedTo, ...rest } = options;
        return exportInvoices(await api(), ids, { ...rest, signal, query: { ...(status ? { status } : {}), ...(kind ? { kind } : {}), ...(partner ? { partner } : {}), ...(issuedFrom ? { issuedFrom } : {}), ...(issuedTo ? { issuedTo } : {}) } }, out);
      })(),
    );

  return root;
}

/**
 * Runs `invoicing` with the process's arguments and answers its exit code. Ctrl-C stops a command between two files
 * or invoices, or cuts the request it waits on: it reports what was done so far and answers 130. A second Ctrl-C
 * ends the process at once.
 */
export async function run(argv: readonly string[]): Promise<number> {
  const stopping = new AbortController();
  const onInterrupt = () => stopping.abort();
  process.once('SIGINT', onInterrupt);
  let code: number = EXIT.ok;
  try {
    await program((answered) => (code = answered), stopping.signal).parseAsync([...argv]);
  } catch (error) {
    if (!(error instanceof CommanderError)) {
      console.error(`invoicing: ${error instanceof Error ? error.message : String(error)}`);
      return EXIT.failed;
    }
    if (error.exitCode === 0) return EXIT.ok;
    // Commander has said what is wrong on stderr; a script reading --json gets it too.
    if (argv.includes('--json')) process.stdout.write(`${JSON.stringify({ error: { code: error.code, message: error.message } }, null, 2)}\n`);
    return EXIT.failed;
  } finally {
    process.off('SIGINT', onInterrupt);
  }
  return code;
}
