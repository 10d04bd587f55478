/**
 * jest's node environment, with a structuredClone whose plain objects and arrays belong to the test
 * realm. Node's own structuredClone makes them in the outer realm, where `value.constructor ===
 * Object` is false for code running inside jest's VM context; oidc-provider checks exactly that on
 * the client metadata it clones (inline JWKS: "client JSON Web Key Set is invalid"). Outside jest
 * there is one realm and nothing of this is needed.
 */
const { TestEnvironment } = require('jest-environment-node');

class InzageEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    const realm = this.global;
    const outerClone = structuredClone;
    const intoRealm = (value, seen) => {
      if (value === null || typeof value !== 'object') return value;
      if (seen.has(value)) return seen.get(value);
      if (Array.isArray(value)) {
        const copy = new realm.Array();
        seen.set(value, copy);
        for (const item of value) copy.push(intoRealm(item, seen));
        return copy;
      }
      if (Object.getPrototypeOf(value) === Object.prototype) {
        const copy = new realm.Object();
        seen.set(value, copy);
        for (const key of Object.keys(value)) copy[key] = intoRealm(value[key], seen);
        return copy;
      }
      return value;
    };
    realm.structuredClone = (value, options) => intoRealm(outerClone(value, options), new Map());
  }
}

module.exports = InzageEnvironment;
