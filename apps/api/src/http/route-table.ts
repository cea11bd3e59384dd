import FindMyWay, { type HTTPMethod } from 'find-my-way';

/** Every route the server registered, to answer 405 (with `Allow`) rather than 404 for a known path. */
export class RouteTable {
  private readonly router = FindMyWay();
  private readonly methods = new Set<HTTPMethod>();

  add(method: string | readonly string[], url: string): void {
    for (const one of typeof method === 'string' ? [method] : method) {
      const upper = one.toUpperCase() as HTTPMethod;
      if (upper === 'HEAD' || this.router.hasRoute(upper, url)) continue;
      this.router.on(upper, url, () => undefined);
      this.methods.add(upper);
    }
  }

  methodsOf(path: string): string[] {
    return [...this.methods].filter((method) => this.router.find(method, path) !== null).sort();
  }
}
