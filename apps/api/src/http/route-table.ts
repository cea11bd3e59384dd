import FindMyWay, { type HTTPMethod } from 'find-my-way';

/** Every route the server registered, to answer 405 (with `Allow`) rather than 404 for a known path. */
export class RouteTable {
  private readonly router = FindMyWay();
  private readonly methods = new Set<HTTPMethod>();

  add(method: string | readonly string[], url: string): void {
    for (const one of typeof method === 'string' ? [method] : method) {
      const upper = one.toUpperCase() as HTTPMethod;
      if (upper === 'HEAD' || this.router.hasRoute(upper, url)) continue;
      this.router.on(upper, url, () => undefined, { url });
      this.methods.add(upper);
    }
  }

  /**
   * The methods of the resource at `path`: those of its most specific route. A path a static route names is that
   * resource, even where a parametric route would also match it: `/v1/partners/1/contacts/last-seen` takes GET only,
   * though DELETE `/v1/partners/:partnerId/contacts/:contactId` matches it too.
   */
  methodsOf(path: string): string[] {
    const routes = [...this.methods].flatMap((method) => {
      const url = (this.router.find(method, path)?.store as { url?: string } | undefined)?.url;
      return url === undefined ? [] : [{ method, parameters: url.split('/').filter((segment) => /^[:*]/.test(segment)).length }];
    });
    const fewest = Math.min(...routes.map(({ parameters }) => parameters));
    return routes.filter(({ parameters }) => parameters === fewest).map(({ method }) => method).sort();
  }
}
