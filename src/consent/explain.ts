import type { ConsentDecision } from './decision';

/** A decision in words, for a security reviewer (`inzage explain`) and later the admin API. */
export function explainDecision(decision: ConsentDecision): string {
  const lines = [
    `${decision.permit ? 'PERMIT' : 'DENY'}  ${decision.principal} → ${decision.patient}`,
    `  at          ${decision.at} (day ${decision.today}, Europe/Amsterdam)`,
    `  preset      ${decision.preset}`,
    `  role        ${decision.role}${decision.administrator ? `   (administrator: ${decision.administrator})` : ''}`,
    `  asked       ${decision.requested.join(', ')}`,
    `  allowed     ${decision.sections.length > 0 ? decision.sections.join(', ') : '(nothing)'}`,
    '  basis',
    ...decision.basis.map((b) =>
      b.kind === 'rule'
        ? `    rule ${b.rule.padEnd(8)} ${b.text}`
        : `    Consent/${b.consentId} ${b.verdict} ${b.section}${b.path ? ` (${b.path})` : ''}${b.note ? `: ${b.note}` : ''}`,
    ),
  ];
  if (decision.obligations.length > 0) {
    lines.push('  obligations');
    for (const o of decision.obligations) {
      if (o.kind === 'mask-employees') lines.push(`    mask employees' identities (${o.rule})`);
      if (o.kind === 'limit-period')
        lines.push(`    ${o.section}: only data from ${o.start ?? '…'} to ${o.end ?? '…'}`);
      if (o.kind === 'exclude-labels') {
        lines.push(`    ${o.section}: leave out data labelled ${o.labels.map((l) => l.code).join(', ')}`);
      }
    }
  }
  return `${lines.join('\n')}\n`;
}
