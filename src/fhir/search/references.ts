import type { Resource } from '@medplum/fhirtypes';

/**
 * The resources a resource refers to, as `Type/id` in the upstream's ids: every `reference` string
 * in it, relative or absolute on the upstream base (`onUpstream` gives the path of an absolute URL,
 * or undefined for any other), with a version cut off. Contained (`#…`) and other references are
 * left out: an include never comes from them.
 */
export function referencesOf(
  resource: Resource,
  onUpstream: (url: string) => string | undefined,
): Set<string> {
  const found = new Set<string>();
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const item of value) walk(item);
      return;
    }
    if (typeof value !== 'object' || value === null) return;
    for (const [key, item] of Object.entries(value)) {
      if (key === 'reference' && typeof item === 'string') {
        const target = targetOf(item, onUpstream);
        if (target) found.add(target);
      } else if (typeof item === 'object') walk(item);
    }
  };
  walk(resource);
  return found;
}

const RELATIVE = /^([A-Z][A-Za-z]{1,63})\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[A-Za-z0-9\-.]{1,64})?$/;

function targetOf(reference: string, onUpstream: (url: string) => string | undefined): string | undefined {
  const relative = /^https?:\/\//.test(reference) ? onUpstream(reference)?.slice(1) : reference;
  const match = relative === undefined ? null : RELATIVE.exec(relative);
  return match ? `${match[1]}/${match[2]}` : undefined;
}

/** `Type/id` of a resource. */
export function keyOf(resource: Resource): string {
  return `${resource.resourceType}/${resource.id ?? ''}`;
}
