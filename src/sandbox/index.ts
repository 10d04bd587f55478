export { generateSandboxData } from './generator';
export { startSandboxServer } from './server';
export { sandboxSummary } from './summary';
export { runSandboxCommand } from './command';
export type { SandboxData, SandboxOptions, SandboxScenarios, SandboxServer } from './types';
