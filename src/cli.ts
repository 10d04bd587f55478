#!/usr/bin/env node
// First, before anything else loads: on an old Node.js, one plain line instead of a crash.
import './commands/node-version';
import type { Command } from 'commander';
import {
  fail,
  registerAuditBreach,
  registerAdmin,
  registerAdminStaff,
  registerAuditExplain,
  inzageProgram,
  registerConfigCheck,
  registerAuditVerify,
  registerAuditPrune,
  registerAuditExport,
  registerDemo,
  registerEcdImport,
  registerEcdPush,
  registerExplain,
  registerReport,
  registerSandbox,
  registerServe,
  registerSmartKeys,
} from './commands';

/** The `inzage` command line: one line per command; each command lives in src/commands/. */
export function buildCli(): Command {
  const program = inzageProgram();
  registerServe(program);
  registerDemo(program);
  registerSandbox(program);
  registerEcdImport(program);
  registerEcdPush(program);
  registerSmartKeys(program);
  registerExplain(program);
  registerAuditExplain(program);
  registerAuditBreach(program);
  registerConfigCheck(program);
  registerReport(program);
  registerAuditVerify(program);
  registerAuditPrune(program);
  registerAuditExport(program);
  registerAdmin(program);
  registerAdminStaff(program);
  return program;
}

if (require.main === module) {
  buildCli()
    .parseAsync(process.argv)
    .catch((err: unknown) => fail(err));
}
