import type { SandboxData, SandboxScenarios, SandboxSummary } from './types';

/** Counts for the demo's start-up output: clients, resources per type, clients per scenario. */
export function sandboxSummary(data: SandboxData): SandboxSummary {
  const resourcesByType: Record<string, number> = {};
  for (const resource of data.resources) {
    resourcesByType[resource.resourceType] = (resourcesByType[resource.resourceType] ?? 0) + 1;
  }
  const sortedByType = Object.fromEntries(
    Object.entries(resourcesByType).sort(([a], [b]) => a.localeCompare(b)),
  );
  const scenarios = Object.fromEntries(
    Object.entries(data.scenarios).map(([name, ids]) => [name, Array.isArray(ids) ? ids.length : 1]),
  ) as Record<keyof SandboxScenarios, number>;
  const organisations = data.exports.map((e) => ({
    id: e.organisation.id,
    name: e.organisation.name,
    clients: e.clients.length,
    relations: e.relations.length,
  }));
  const clients = organisations.reduce((sum, o) => sum + o.clients, 0);
  const lines = [
    `Sandbox data for ${data.today}: ${clients} clients, ${data.resources.length} FHIR resources`,
    ...organisations.map((o) => `  ${o.name} [${o.id}]: ${o.clients} clients, ${o.relations} relations`),
    `  Resources: ${Object.entries(sortedByType)
      .map(([type, count]) => `${type} ${count}`)
      .join(', ')}`,
    `  Age bands (disability care): under 12 ${scenarios.under12}, 12-15 ${scenarios.age12to15}, ` +
      `16-17 ${scenarios.age16to17}, adults ${scenarios.adultsDisabilityCare}; elderly care ${scenarios.elderlyCare}`,
  ];
  return {
    today: data.today,
    clients,
    resources: data.resources.length,
    organisations,
    resourcesByType: sortedByType,
    scenarios,
    lines,
  };
}
