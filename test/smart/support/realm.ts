/**
 * Jest runs each test file in a vm context of its own, but Node's `structuredClone` (which jest
 * hands that context) builds its copies in the outer realm. oidc-provider clones its static client
 * metadata with it and then checks each client JWK with `jwk.constructor === Object`, which an
 * outer-realm object fails: an inline JWKS registration breaks under jest only (plain Node runs it;
 * checked by hand). This puts the copies back into the test realm; it changes nothing else.
 */
const outerClone = globalThis.structuredClone;

function adopt(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(adopt);
  if (value !== null && typeof value === 'object') {
    const proto = Object.getPrototypeOf(value) as { constructor?: { name?: string } } | null;
    if (proto !== Object.prototype && proto?.constructor?.name === 'Object') {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, adopt(v)]));
    }
  }
  return value;
}

if (!(globalThis as { realmAdopted?: boolean }).realmAdopted) {
  (globalThis as { realmAdopted?: boolean }).realmAdopted = true;
  globalThis.structuredClone = ((value: unknown, options?: StructuredSerializeOptions) =>
    adopt(outerClone(value, options))) as typeof structuredClone;
}

export {};
