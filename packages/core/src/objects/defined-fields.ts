/** `T` with every field that may be `undefined` made optional instead, and never `undefined` when present. */
export type DefinedFields<T> = { [K in keyof T as undefined extends T[K] ? never : K]: T[K] } & {
  [K in keyof T as undefined extends T[K] ? K : never]?: Exclude<T[K], undefined>;
};

/**
 * The given fields without those whose value is `undefined`, for spreading into an object literal: one call instead
 * of a `...(x !== undefined ? { x } : {})` per optional field. An absent optional field then stays absent, so stored
 * documents, events and answers carry no keys without a value. `null`, `0`, `false` and `''` are values and are kept.
 *
 * @example
 * const line = { id, name, ...definedFields({ description, sellerItemId: input.sellerItemId }) };
 */
export function definedFields<T extends object>(fields: T): DefinedFields<T> {
  const defined: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (value !== undefined) defined[key] = value;
  }
  return defined as DefinedFields<T>;
}
