import type { ConsentDecision, Obligation } from './decision';

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
    lines.push('  obligations', ...decision.obligations.map((o) => `    ${obligationText(o)}`));
  }
  return `${lines.join('\n')}\n`;
}

function obligationText(o: Obligation): string {
  switch (o.kind) {
    case 'mask-employees':
      return `mask employees' identities (${o.rule})`;
    case 'limit-period':
      return `${o.section}: only data from ${o.start ?? '…'} to ${o.end ?? '…'}`;
    case 'exclude-labels':
      return `${o.section}: leave out data labelled ${o.labels.map((l) => l.code).join(', ')}`;
  }
}
