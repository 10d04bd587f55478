import express, { type RequestHandler } from 'express';

/**
 * JSON (plain and FHIR) and form bodies, at most `limitBytes`. Routes that stream their body (the
 * ECD push) are mounted before these.
 */
export function bodyParsers(limitBytes: number): RequestHandler[] {
  return [
    express.json({ limit: limitBytes, type: ['application/json', 'application/fhir+json'] }),
    express.urlencoded({ limit: limitBytes, extended: false }),
  ];
}
