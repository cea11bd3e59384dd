/** The process serves HTTP. */
export class LivenessDto {
  /** @example "ok" */
  status!: 'ok';
}

/** Each dependency the API needs, up or down. */
export class ReadinessChecksDto {
  /**
   * The database answers a ping.
   * @example "up"
   */
  database!: 'up' | 'down';

  /**
   * The realm's signing keys can be fetched.
   * @example "up"
   */
  keycloak!: 'up' | 'down';
}

/** The API can serve requests: its dependencies answer. */
export class ReadinessDto {
  /** @example "ok" */
  status!: 'ok';

  checks!: ReadinessChecksDto;
}
