/* global document, window */
// What the public app's pages share: building DOM from FHIR data (textContent only: the data is
// never parsed as HTML), reading the gateway's OperationOutcome out of fhirclient's errors, and
// fetching a search with its next pages.
'use strict';

(function () {
  /** An element with attributes and children (strings become text nodes). */
  function el(tag, attributes, ...children) {
    const element = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      if (value !== undefined && value !== null) element.setAttribute(name, String(value));
    }
    for (const child of children) {
      if (child === undefined || child === null || child === '') continue;
      element.append(typeof child === 'string' ? document.createTextNode(child) : child);
    }
    return element;
  }

  /**
   * The text of the OperationOutcome in a fhirclient HttpError: fhirclient appends the JSON body to
   * the message after a blank line. Undefined when there is none.
   */
  function outcomeText(error) {
    const message = String((error && error.message) || '');
    const start = message.indexOf('\n\n');
    if (start < 0) return undefined;
    try {
      const body = JSON.parse(message.slice(start + 2));
      if (!body || body.resourceType !== 'OperationOutcome' || !Array.isArray(body.issue)) return undefined;
      const texts = body.issue
        .map((issue) => (issue.details && issue.details.text) || issue.diagnostics)
        .filter((text) => typeof text === 'string' && text !== '');
      return texts.length > 0 ? texts.join('; ') : undefined;
    } catch {
      return undefined;
    }
  }

  /** The HTTP status of a fhirclient error, or undefined for one that never reached the gateway. */
  function statusOf(error) {
    return error && typeof error.statusCode === 'number' ? error.statusCode : undefined;
  }

  /**
   * One request of a section, as its outcome: `{kind: 'shown', resources}`, `{kind: 'none'}` (an
   * empty Bundle or the gateway's one 404, which does not say whether anything is there),
   * `{kind: 'forbidden', text}` (403: the token's scopes do not cover it) or `{kind: 'error', text}`.
   * Searches follow up to three pages of `next` links.
   */
  async function fetchPart(client, path) {
    try {
      const answer = await client.request(path, { flat: true, pageLimit: 3 });
      const resources = (Array.isArray(answer) ? answer : [answer]).filter(
        (r) => r && typeof r.resourceType === 'string' && r.resourceType !== 'OperationOutcome',
      );
      return resources.length > 0 ? { kind: 'shown', resources } : { kind: 'none' };
    } catch (error) {
      const status = statusOf(error);
      if (status === 404) return { kind: 'none' };
      if (status === 403) return { kind: 'forbidden', text: outcomeText(error) };
      return {
        kind: 'error',
        text: [status, outcomeText(error) || (status === undefined ? error.message : undefined)]
          .filter(Boolean)
          .join(' '),
      };
    }
  }

  /** The first text of a CodeableConcept: its text, else a coding's display, else a code. */
  function conceptText(concept) {
    if (!concept) return '';
    if (concept.text) return concept.text;
    const coding = (concept.coding || []).find((c) => c.display) || (concept.coding || [])[0];
    return coding ? coding.display || coding.code || '' : '';
  }

  /** A Quantity as "144 mmHg". */
  function quantityText(quantity) {
    if (!quantity || quantity.value === undefined) return '';
    return [String(quantity.value), quantity.unit || quantity.code].filter(Boolean).join(' ');
  }

  window.DemoFhir = { el, outcomeText, statusOf, fetchPart, conceptText, quantityText };
})();
