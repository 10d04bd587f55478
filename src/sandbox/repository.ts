import type { SearchRequest, WithId } from '@medplum/core';
import type { CreateResourceOptions, DeleteResourceOptions } from '@medplum/fhir-router';
import type { Bundle, OperationOutcome, Resource } from '@medplum/fhirtypes';
import { CompartmentView, mentionsOf, patientNamedBy, type PatientMentions } from './compartments';
import { DecidingRepository } from './deciding-repository';

/**
 * The sandbox's repository: MemoryRepository with the sandbox's own filters on shared parameters
 * (deciding-repository.ts), and a view per patient (compartments.ts) that answers the searches
 * naming one patient without going over every resource of the type. Storage, history and reads stay
 * MemoryRepository's; every write is passed on to the views it concerns.
 */
export class SandboxRepository extends DecidingRepository {
  /** Per patient key, the view of that patient's resources. */
  readonly #views = new Map<string, CompartmentView>();
  /** Per stored resource (`Type/id`), what it says about patients (the keys of the views that hold it). */
  readonly #placed = new Map<string, PatientMentions>();
  /** How many stored resources end a string other than `Patient/x` in `/x`, per lower-case x. */
  readonly #otherEnds = new Map<string, number>();
  /**
   * Patients whose view could not be kept in the order of the whole repository (an existing
   * resource came to name them): their searches go over everything again, as before the views.
   */
  readonly #unindexed = new Set<string>();
  /** The view of a patient no resource names: searching it gives the same empty answer. */
  readonly #nobody = new CompartmentView(this);

  override async search<T extends Resource>(request: SearchRequest<T>): Promise<Bundle<WithId<T>>> {
    const key = patientNamedBy(request, (id) => !this.#otherEnds.has(id));
    if (key === undefined || this.#unindexed.has(key)) return super.search(request);
    return (this.#views.get(key) ?? this.#nobody).search(request);
  }

  override async createResource<T extends Resource>(
    resource: T,
    options?: CreateResourceOptions,
    update?: boolean,
  ): Promise<WithId<T>> {
    const stored = await super.createResource(resource, options, update);
    await this.#place(stored);
    return stored;
  }

  override async conditionalCreate<T extends Resource>(
    resource: T,
    search: SearchRequest<T>,
    options?: CreateResourceOptions,
  ): Promise<{ resource: WithId<T>; outcome: OperationOutcome }> {
    // MemoryRepository creates here without createResource; placing what was found changes nothing.
    const result = await super.conditionalCreate(resource, search, options);
    await this.#place(result.resource);
    return result;
  }

  override async deleteResource(
    resourceType: string,
    id: string,
    options?: DeleteResourceOptions,
  ): Promise<void> {
    await super.deleteResource(resourceType, id, options);
    await this.#remove(resourceType, id);
  }

  override async expungeResources(resourceType: string, ids: string[]): Promise<void> {
    await super.expungeResources(resourceType, ids);
    for (const id of ids) await this.#remove(resourceType, id);
  }

  override clear(): void {
    super.clear();
    this.#views.clear();
    this.#placed.clear();
    this.#otherEnds.clear();
    this.#unindexed.clear();
  }

  /**
   * Puts the stored version of a resource in the views of the patients it names. A view searches in
   * the order it was given its resources, as MemoryRepository does, so a view may only gain a
   * resource at its end: a new resource (it comes last in the whole repository too) or a new version
   * of one it holds (kept in its place, in both). An existing resource that comes to name a patient
   * with a view would be out of order there: that patient's view is given up.
   */
  async #place(resource: WithId<Resource>): Promise<void> {
    const name = `${resource.resourceType}/${resource.id}`;
    const mentions = mentionsOf(resource);
    const { keys } = mentions;
    const previous = this.#placed.get(name);
    if (previous) this.#countEnds(previous, -1);
    this.#countEnds(mentions, 1);
    const before = previous?.keys;
    for (const key of before ?? []) {
      if (!keys.has(key)) await this.#views.get(key)?.deleteResource(resource.resourceType, resource.id);
    }
    for (const key of keys) {
      if (this.#unindexed.has(key)) continue;
      if (before && !before.has(key) && this.#views.has(key)) {
        this.#unindexed.add(key);
        this.#views.delete(key);
        continue;
      }
      let view = this.#views.get(key);
      if (!view) {
        view = new CompartmentView(this);
        this.#views.set(key, view);
      }
      await view.keep(resource);
    }
    this.#placed.set(name, mentions);
  }

  #countEnds(mentions: PatientMentions, change: 1 | -1): void {
    for (const end of mentions.otherEnds) {
      const count = (this.#otherEnds.get(end) ?? 0) + change;
      if (count > 0) this.#otherEnds.set(end, count);
      else this.#otherEnds.delete(end);
    }
  }

  async #remove(resourceType: string, id: string): Promise<void> {
    const name = `${resourceType}/${id}`;
    const previous = this.#placed.get(name);
    if (!previous) return;
    this.#countEnds(previous, -1);
    for (const key of previous.keys) {
      const view = this.#views.get(key);
      // MemoryRepository's delete of what it does not hold throws; a view may not hold it.
      if (view) await view.deleteResource(resourceType, id).catch(() => undefined);
    }
    this.#placed.delete(name);
  }
}
