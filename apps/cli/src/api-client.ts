import { tokenFor } from './credentials';
import { CliError } from './output';

/** An RFC 9457 problem the API answered, with its stable code. */
export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    detail: string,
    /** The EN 16931 rules a refused e-invoice breaks (`e_invoice.invalid`), each once. */
    readonly rules: readonly string[] = [],
  ) {
    super(`${detail} (${status} ${code})${rules.length > 0 ? `: ${rules.join(', ')}` : ''}`);
  }
}

/** What a call answered. */
export interface ApiAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** The body as received (a PDF is not text). */
  readonly bytes: Buffer;
  readonly json: unknown;
}

/** Calls the invoicing API with the token `login` saved (or `$INVOICING_TOKEN`); a problem answer is thrown. */
export class ApiClient {
  private constructor(
    readonly apiUrl: string,
    private readonly token: string,
  ) {}

  /** @throws CliError `cli.not_signed_in` when no token is available: run `invoicing login` */
  static async connect(apiUrl: string, env: NodeJS.ProcessEnv = process.env): Promise<ApiClient> {
    const url = apiUrl.replace(/\/+$/, '');
    const token = await tokenFor(url, env);
    if (!token) throw new CliError('cli.not_signed_in', `not signed in to ${url}: run \`invoicing login --api-url ${url}\` (or set INVOICING_TOKEN)`);
    return new ApiClient(url, token);
  }

  /**
   * @throws ApiProblem for a 4xx or 5xx answer; CliError `cli.api_unreachable` when the API cannot be reached; the
   * signal's reason when it aborts
   */
  async call(method: string, path: string, options: { readonly body?: Buffer | string; readonly contentType?: string; readonly accept?: string; readonly signal?: AbortSignal } = {}): Promise<ApiAnswer> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.token}`, accept: options.accept ?? 'application/json' };
    if (options.contentType) headers['content-type'] = options.contentType;
    let response: Response;
    try {
      response = await fetch(`${this.apiUrl}${path}`, { method, headers, ...(options.body === undefined ? {} : { body: options.body }), ...(options.signal ? { signal: options.signal } : {}) });
    } catch (error) {
      options.signal?.throwIfAborted();
      throw new CliError('cli.api_unreachable', `cannot reach the API at ${this.apiUrl}: ${causeOf(error)}`);
    }
    const bytes = Buffer.from(
      await response.arrayBuffer().catch((error: unknown) => {
        options.signal?.throwIfAborted();
        throw new CliError('cli.api_unreachable', `the API at ${this.apiUrl} stopped answering: ${causeOf(error)}`);
      }),
    );
    const text = bytes.toString('utf8');
    const json = (response.headers.get('content-type') ?? '').includes('json') && text ? (JSON.parse(text) as unknown) : undefined;
    if (response.status >= 400) {
      const problem = (json ?? {}) as { code?: string; detail?: string; title?: string; findings?: { rule?: unknown }[] };
      const rules = Array.isArray(problem.findings) ? [...new Set(problem.findings.map((finding) => finding.rule).filter((rule): rule is string => typeof rule === 'string'))] : [];
      throw new ApiProblem(response.status, problem.code ?? 'http.error', problem.detail ?? problem.title ?? (text.slice(0, 200) || response.statusText), rules);
    }
    return { status: response.status, headers: response.headers, text, bytes, json };
  }
}

/** Why a request failed: fetch says `fetch failed` and keeps the reason (`connect ECONNREFUSED …`) as its cause. */
export function causeOf(error: unknown): string {
  const cause = (error as Error).cause;
  return cause instanceof Error ? cause.message : (error as Error).message;
}
