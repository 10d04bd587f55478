export { generateSandboxData } from './generator';
export { startSandboxServer } from './server';
export { sandboxSummary } from './summary';
export type { SandboxData, SandboxOptions, SandboxScenarios, SandboxServer } from './types';
