/** Search parameters as the router takes them: one value, or several for a repeated name. */
export type Query = Record<string, string | string[]>;

export function toQuery(params: URLSearchParams): Query {
  const query: Query = {};
  for (const [name, value] of params) {
    const existing = query[name];
    query[name] =
      existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  return query;
}

export function toSearchParams(query: Query): URLSearchParams {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    for (const v of Array.isArray(value) ? value : [value]) params.append(name, v);
  }
  return params;
}

/** The value that counts when a result parameter is repeated: the last one. */
export function lastValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[value.length - 1] : value;
}
