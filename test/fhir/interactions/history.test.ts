import type { Observation } from '@medplum/fhirtypes';
import { generateSandboxData, startSandboxServer, type SandboxServer } from '../../../src/sandbox';
import { startFhirApi, type FhirApiUnderTest, type LoggedIn } from '../support/api';
import { startProxyUpstream, type ProxyUpstream } from './proxy-upstream';

/**
 * vread and history, against a writable sandbox of the same data, so that resources get a second
 * version: one moved from another client to this one, one moved into a section the first contact
 * person may not see, one moved out of it. Every version is judged on its own, and none is shown
 * unless the current version is (leak vector 14).
 */
describe('vread and history', () => {
  const data = generateSandboxData({ clients: 30, seed: 1 });
  const clientId = data.scenarios.firstContactAuthorised;
  let upstream: SandboxServer;
  let proxy: ProxyUpstream;
  let api: FhirApiUnderTest;
  let client: LoggedIn;
  let firstContact: LoggedIn;
  let other: LoggedIn;
  let otherId: string;
  /** Another client's Observation, moved to this client in version 2. */
  let moved: Observation;
  /** This client's measurement, made a report in version 2 (the first contact sees reports only). */
  let madeReport: Observation;
  /** This client's report, made a measurement in version 2. */
  let madeMeasurement: Observation;

  const observationsOf = (id: string) =>
    data.resources.filter(
      (r): r is Observation => r.resourceType === 'Observation' && r.subject?.reference === `Patient/${id}`,
    );
  const isMeasurement = (o: Observation) =>
    o.category?.some((c) => c.coding?.some((x) => x.code === 'vital-signs'));
  const update = async (resource: Observation) => {
    const { meta: _meta, ...bare } = resource;
    const answer = await fetch(`${upstream.url}/Observation/${resource.id}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/fhir+json' },
      body: JSON.stringify(bare),
    });
    if (answer.status !== 200) throw new Error(`PUT ${resource.id}: ${answer.status} ${await answer.text()}`);
    return (await answer.json()) as Observation;
  };

  beforeAll(async () => {
    upstream = await startSandboxServer({ data, writable: true });
    proxy = await startProxyUpstream(upstream.url);
    api = await startFhirApi({ upstreamUrl: () => proxy.url });
    otherId = data.scenarios.elderlyCare.find((c) => c !== clientId && observationsOf(c).length > 0)!;
    const reports = observationsOf(clientId).filter((o) => !isMeasurement(o));
    const measurements = observationsOf(clientId).filter(isMeasurement);
    const reportCategory = reports[0]!.category!;
    moved = observationsOf(otherId).filter((o) => !isMeasurement(o))[0]!;
    await update({ ...moved, subject: { reference: `Patient/${clientId}` } });
    madeReport = measurements[0]!;
    await update({ ...madeReport, category: reportCategory });
    madeMeasurement = reports[1]!;
    await update({ ...madeMeasurement, category: measurements[0]!.category! });

    const patient = api.gateway.patientOf(clientId);
    client = await api.login(patient);
    firstContact = await api.login(patient, api.gateway.relationOf(clientId, 'first-contact-person'));
    other = await api.login(api.gateway.patientOf(otherId));
  });
  afterAll(async () => {
    await api?.close();
    await proxy?.close();
    await upstream?.close();
  });
  afterEach(() => {
    proxy.rewrite = (p) => p;
    proxy.transform = (_p, body) => body;
  });

  /** An OperationOutcome without its request id (the one part of the 404 that differs per request). */
  const outcome = (body: { issue: { diagnostics?: string }[] }) =>
    body.issue.map(({ diagnostics: _d, ...issue }) => issue);
  const versionsIn = (body: { entry?: { resource: Observation }[] }) =>
    (body.entry ?? []).map((e) => e.resource.meta!.versionId);

  it('FHIR-INT-5: vread through the upstream reads the version asked for, judged like a read', async () => {
    const history = await api.fhir(client.accessToken, `/Observation/${madeReport.id}/_history`);
    expect(history.status).toBe(200);
    const [newest, oldest] = versionsIn(history.body);
    const v2 = await api.fhir(client.accessToken, `/Observation/${madeReport.id}/_history/${newest}`);
    const v1 = await api.fhir(client.accessToken, `/Observation/${madeReport.id}/_history/${oldest}`);
    expect([v1.status, v2.status]).toEqual([200, 200]);
    expect(v1.body.meta.versionId).toBe(oldest);
    expect(v2.body.meta.versionId).toBe(newest);
    expect(v1.headers.get('etag')).toBe(`W/"${oldest}"`);
    // The portal's ids: the client's reference is the gateway's Patient.
    expect(v1.body.subject.reference).toBe(`Patient/${client.patientId}`);
    const missing = await api.fhir(
      client.accessToken,
      `/Observation/${madeReport.id}/_history/no-such-version`,
    );
    expect(missing.status).toBe(404);
  });

  it('LV-14: an older version that named another patient is left out of history and vread', async () => {
    const history = await api.fhir(client.accessToken, `/Observation/${moved.id}/_history`);
    expect(history.status).toBe(200);
    expect(history.body).toMatchObject({ resourceType: 'Bundle', type: 'history' });
    expect(history.body.entry).toHaveLength(1);
    expect(history.body.total).toBeUndefined();
    expect(history.text).not.toContain(upstream.url);
    expect(history.text).not.toContain(`Patient/${otherId}`);
    const [entry] = history.body.entry;
    expect(entry.fullUrl).toBe(`${api.fhirBase}/Observation/${moved.id}`);
    expect(entry.resource.subject.reference).toBe(`Patient/${client.patientId}`);
    expect(entry.request).toBeDefined();
    expect(entry.response).toBeDefined();
    for (const link of history.body.link ?? []) expect(link.url.startsWith(api.fhirBase)).toBe(true);

    const oldVersion = moved.meta!.versionId!;
    const vread = await api.fhir(client.accessToken, `/Observation/${moved.id}/_history/${oldVersion}`);
    const missing = await api.fhir(client.accessToken, `/Observation/no-such-id/_history/${oldVersion}`);
    expect(vread.status).toBe(404);
    expect(outcome(vread.body)).toEqual(outcome(missing.body));
  });

  it('LV-14: the client it was moved away from sees none of its versions, not even their own', async () => {
    const oldVersion = moved.meta!.versionId!;
    const answers = [
      await api.fhir(other.accessToken, `/Observation/${moved.id}`),
      await api.fhir(other.accessToken, `/Observation/${moved.id}/_history`),
      await api.fhir(other.accessToken, `/Observation/${moved.id}/_history/${oldVersion}`),
    ];
    const missing = await api.fhir(other.accessToken, `/Observation/no-such-id/_history`);
    for (const answer of answers) {
      expect(answer.status).toBe(404);
      expect(outcome(answer.body)).toEqual(outcome(missing.body));
    }
  });

  it('LV-14: an older version in a section the caller may not see is left out (first contact person)', async () => {
    const history = await api.fhir(firstContact.accessToken, `/Observation/${madeReport.id}/_history`);
    expect(history.status).toBe(200);
    expect(history.body.entry).toHaveLength(1);
    expect(isMeasurement(history.body.entry[0].resource)).toBe(false);
    const measured = await api.fhir(
      firstContact.accessToken,
      `/Observation/${madeReport.id}/_history/${madeReport.meta!.versionId}`,
    );
    expect(measured.status).toBe(404);
    // The client sees both.
    const own = await api.fhir(client.accessToken, `/Observation/${madeReport.id}/_history`);
    expect(own.body.entry).toHaveLength(2);
  });

  it('LV-14: a resource now in a section the caller may not see shows none of its past versions', async () => {
    for (const path of [
      `/Observation/${madeMeasurement.id}`,
      `/Observation/${madeMeasurement.id}/_history`,
      `/Observation/${madeMeasurement.id}/_history/${madeMeasurement.meta!.versionId}`,
    ]) {
      const answer = await api.fhir(firstContact.accessToken, path);
      expect([path, answer.status]).toEqual([path, 404]);
    }
    expect(
      (await api.fhir(client.accessToken, `/Observation/${madeMeasurement.id}/_history`)).body.entry,
    ).toHaveLength(2);
  });

  it("LV-14: an upstream that answers with another client's versions shows nothing of them", async () => {
    const own = observationsOf(clientId)[2]!;
    const theirs = observationsOf(otherId)[1]!;
    const version = theirs.meta!.versionId!;
    expect(
      (await api.fhir(client.accessToken, `/Observation/${own.id}/_history/${own.meta!.versionId}`)).status,
    ).toBe(200);
    // The current version is the client's own; the versions asked for come from another resource.
    proxy.rewrite = (p) => p.replace(`/Observation/${own.id}/_history`, `/Observation/${theirs.id}/_history`);
    for (const path of [`/Observation/${own.id}/_history`, `/Observation/${own.id}/_history/${version}`]) {
      const answer = await api.fhir(client.accessToken, path);
      expect([path, answer.status]).toEqual([path, 404]);
      expect(answer.text).not.toContain(theirs.id);
    }
  });

  it('FHIR-INT-19: a history the upstream pages is followed to its last page; a loop is a 502', async () => {
    const path = `/Observation/${madeReport.id}/_history`;
    const whole = await api.fhir(client.accessToken, path);
    expect(whole.body.entry).toHaveLength(2);
    // One version per page: the first page holds the newer and links to a second, with the first.
    type Page = { entry?: { resource: Observation }[]; link?: unknown[] };
    const first = (e: { resource: Observation }) => e.resource.meta!.versionId === '1';
    proxy.rewrite = (p) => (p === `${path}?page=2` ? path : p);
    proxy.transform = (p, body) => {
      const bundle = body as Page;
      if (p === path)
        return {
          ...bundle,
          entry: bundle.entry!.filter((e) => !first(e)),
          link: [{ relation: 'next', url: `${proxy.url}${path}?page=2` }],
        };
      if (p === `${path}?page=2`) return { ...bundle, entry: bundle.entry!.filter(first) };
      return body;
    };
    const paged = await api.fhir(client.accessToken, path);
    expect(paged.status).toBe(200);
    expect(proxy.calls.slice(-1)).toEqual([`GET ${path}?page=2`]);
    expect(versionsIn(paged.body)).toEqual(versionsIn(whole.body));
    expect(paged.body.link).toEqual([{ relation: 'self', url: `${api.fhirBase}${path}` }]);
    // The second page links to itself.
    proxy.transform = (p, body) =>
      p.startsWith(path)
        ? { ...(body as object), link: [{ relation: 'next', url: `${proxy.url}${path}?page=2` }] }
        : body;
    const looped = await api.fhir(client.accessToken, path);
    expect(looped.status).toBe(502);
    expect(looped.body.resourceType).toBe('OperationOutcome');
  });

  it('FHIR-INT-6: the gateway-held Patient has its vread and history from the store', async () => {
    const exp = structuredClone(data.exports.find((e) => e.clients.some((c) => c.id === clientId))!);
    const record = exp.clients.find((c) => c.id === clientId)!;
    record.telecom = { ...record.telecom, phone: '+31201234567' };
    await api.gateway.importExport(exp);
    const path = `/Patient/${client.patientId}`;
    const history = await api.fhir(client.accessToken, `${path}/_history`);
    expect(history.status).toBe(200);
    expect(history.body.type).toBe('history');
    expect(versionsIn(history.body)).toEqual(['2', '1']);
    expect(history.body.entry[1].request).toEqual({ method: 'POST', url: 'Patient' });
    const v1 = await api.fhir(client.accessToken, `${path}/_history/1`);
    const v2 = await api.fhir(client.accessToken, `${path}/_history/2`);
    expect([v1.status, v2.status]).toEqual([200, 200]);
    expect(JSON.stringify(v2.body.telecom)).toContain('+31201234567');
    expect(JSON.stringify(v1.body.telecom ?? [])).not.toContain('+31201234567');
    expect((await api.fhir(client.accessToken, `${path}/_history/3`)).status).toBe(404);
    // Another client's Patient: the one 404, for vread and history alike.
    for (const p of [`/Patient/${other.patientId}/_history`, `/Patient/${other.patientId}/_history/1`])
      expect((await api.fhir(client.accessToken, p)).status).toBe(404);
  });

  it('FHIR-INT-7: history of a type or of the system is refused; instance history takes no parameters', async () => {
    expect((await api.fhir(client.accessToken, '/Observation/_history')).status).toBe(405);
    expect((await api.fhir(client.accessToken, '/_history')).status).toBe(405);
    const since = await api.fhir(
      client.accessToken,
      `/Observation/${moved.id}/_history?_since=2020-01-01T00:00:00Z`,
    );
    expect(since.status).toBe(400);
    expect(since.body.resourceType).toBe('OperationOutcome');
  });
});
