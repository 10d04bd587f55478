import type { BundleEntry } from '@medplum/fhirtypes';
import { ResourceNotFound } from '../../../src/fhir/errors';
import { auditedStream, StreamAborted, type FhirResult } from '../../../src/fhir/interactions/context';

/** Step 8 for a streamed answer: recorded with what it showed, before the Bundle may be closed. */
describe('the audit record of a streamed answer', () => {
  const entry = (id: string): BundleEntry => ({ resource: { resourceType: 'Observation', id } as never });
  const streamOf = (
    entries: () => AsyncGenerator<BundleEntry>,
  ): FhirResult & { stream: NonNullable<FhirResult['stream']> } => ({
    status: 200,
    shown: [],
    stream: { bundle: { resourceType: 'Bundle', type: 'searchset' }, entries: entries() },
  });
  const drain = async (result: FhirResult) => {
    const got: string[] = [];
    for await (const e of result.stream!.entries) got.push(e.resource!.id!);
    return got;
  };

  it('FHIR-INT-14: is written after the last entry, with every resource shown, before the stream ends', async () => {
    const records: [readonly string[], unknown][] = [];
    const order: string[] = [];
    const result = auditedStream(
      streamOf(async function* () {
        yield entry('a');
        yield entry('b');
      }),
      async (shown, failure) => {
        order.push('record');
        records.push([shown, failure]);
      },
    );
    for await (const e of result.stream!.entries) order.push(e.resource!.id!);
    expect(order).toEqual(['a', 'b', 'record']);
    expect(records).toEqual([[['Observation/a', 'Observation/b'], undefined]]);
  });

  it('FHIR-INT-15: a record that cannot be written fails the stream (the Bundle is never closed)', async () => {
    const result = auditedStream(
      streamOf(async function* () {
        yield entry('a');
      }),
      () => Promise.reject(new Error('audit trail down')),
    );
    await expect(drain(result)).rejects.toThrow('audit trail down');
  });

  it('FHIR-INT-16: a failure half way is recorded with its error and rethrown; a caller gone away is recorded', async () => {
    const records: [readonly string[], unknown][] = [];
    const failing = auditedStream(
      streamOf(async function* () {
        yield entry('a');
        throw new ResourceNotFound();
      }),
      async (shown, failure) => void records.push([shown, failure]),
    );
    await expect(drain(failing)).rejects.toBeInstanceOf(ResourceNotFound);
    expect(records[0]![0]).toEqual(['Observation/a']);
    expect(records[0]![1]).toBeInstanceOf(ResourceNotFound);

    const left = auditedStream(
      streamOf(async function* () {
        yield entry('a');
        yield entry('b');
      }),
      async (shown, failure) => void records.push([shown, failure]),
    );
    for await (const _e of left.stream!.entries) break;
    expect(records[1]![0]).toEqual(['Observation/a']);
    expect(records[1]![1]).toBeInstanceOf(StreamAborted);
  });
});
