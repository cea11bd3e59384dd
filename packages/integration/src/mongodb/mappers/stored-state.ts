/**
 * How an aggregate's `state` is stored: from format 2 on, one string of Extended JSON; format-1 documents hold it as a
 * subdocument, which is still read.
 *
 * Why a string: FerretDB 1.x keeps every document as PostgreSQL jsonb with a type schema beside each nested value, so
 * each read and write of a document costs in proportion to its nested fields (an issued invoice's 3.7 kB became
 * 13 kB of jsonb; one find by `_id` took 2.2 ms of FerretDB's CPU and 2.5 ms of PostgreSQL's). A state is only ever
 * read whole, by its mapper; what queries filter, sort or sum on is written beside it as top-level keys and `derived`
 * scalars. As one string the same find costs 0.8 + 0.9 ms (ADR 0012). The encoding keeps BSON's types: int64 as
 * `$numberLong`, dates as `$date`, so the mappers read exactly what the subdocument held.
 */
export type StoredState<State> = State | string;

/**
 * A mapper's state object as stored.
 * @throws TypeError for a key starting with `$`, which Extended JSON would read back as a type (mappers name every
 * key, so none does)
 */
export function encodeState(state: object): string {
  // The `$numberLong` and `$date` objects below are the encoder's own; any other `$` key is refused.
  const typed = new WeakSet<object>();
  return JSON.stringify(state, function (this: object, key, value: unknown) {
    if (key.startsWith('$') && !typed.has(this)) throw new TypeError(`a stored state cannot hold the key ${key}`);
    // `this[key]` is the value before `toJSON`, which turns dates into strings.
    const raw = (this as Record<string, unknown>)[key];
    if (typeof raw === 'bigint') return mark(typed, { $numberLong: raw.toString() });
    if (raw instanceof Date) return mark(typed, { $date: mark(typed, { $numberLong: String(raw.getTime()) }) });
    return value;
  });
}

function mark<T extends object>(typed: WeakSet<object>, value: T): T {
  typed.add(value);
  return value;
}

/**
 * The state object a document holds, in either format: as the driver would have read the subdocument.
 *
 * Reads what {@link encodeState} writes, and only that: JSON whose `{ $numberLong }` objects are int64 and
 * `{ $date: { $numberLong } }` dates. `BSON.EJSON.parse` reads the same text the same way (a test holds them equal),
 * at three times the cost: it was an eighth of the API's time to read an invoice.
 */
export function decodeState<State>(stored: StoredState<State>): State {
  return typeof stored === 'string' ? (typed(JSON.parse(stored)) as State) : stored;
}

/** Turns the encoder's typed objects back into their values, in place. */
function typed(value: object): unknown {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (item !== null && typeof item === 'object') value[i] = typed(item);
    }
    return value;
  }
  const fields = value as Record<string, unknown>;
  if (typeof fields['$numberLong'] === 'string') return BigInt(fields['$numberLong']);
  if (fields['$date'] !== undefined) return new Date(Number((fields['$date'] as { $numberLong: string }).$numberLong));
  for (const key in fields) {
    const field = fields[key];
    if (field !== null && typeof field === 'object') fields[key] = typed(field);
  }
  return value;
}
