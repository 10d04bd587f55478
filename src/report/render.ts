import type { ReviewerReport } from './build';
import type { ChainStatus } from './chain';
import type { ConfigurationSummary } from './configuration';
import { html, raw, type Html } from './html';
import type { Coverage, CoverageStatus } from './matching';
import type { TestResult, TestStatus } from './results';

/**
 * The report as one self-contained HTML page: inline CSS, no script, no font, no image, nothing
 * fetched (its Content-Security-Policy refuses everything else), so that it opens offline and can be
 * archived as it is. Every status is written out in words, never shown by colour alone.
 */
export function renderReport(report: ReviewerReport): string {
  const page = html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'" />
        <title>Inzage: the reviewer’s report</title>
        <style>
          ${raw(STYLE)}
        </style>
      </head>
      <body>
        <header>
          <h1>Inzage: the reviewer’s report</h1>
          <p>
            Generated
            ${timestamp(report.provenance.generatedAt)}${report.provenance.commit ? html` from commit <code>${report.provenance.commit}</code>` : ''}.
          </p>
        </header>
        <main>
          ${summarySection(report)} ${provenanceSection(report)} ${configurationSection(report.configuration)}
          ${coverageSection('rules', 'Portal rules', rulesIntro, report.rules)}
          ${coverageSection('leak-vectors', 'Leak vectors', vectorsIntro, report.leakVectors)}
          ${smartSection(report)} ${chainSection(report.chain)} ${brokenSuitesSection(report)}
        </main>
      </body>
    </html> `;
  return page.markup;
}

const rulesIntro = html`<p>
  Each rule of the two reference customers’ portal terms (docs/portal-rules.md), with the tests whose names
  carry its id and their result in this run.
</p>`;
const vectorsIntro = html`<p>
  Each leak vector of docs/leak-vectors.md (<code>LV-n</code>), with the tests whose names carry its id.
</p>`;

function summarySection(report: ReviewerReport): Html {
  const line = (label: string, items: Coverage[], anchor: string) => {
    const n = (s: CoverageStatus) => items.filter((c) => c.status === s).length;
    return html`<tr>
      <th scope="row"><a href="#${anchor}">${label}</a></th>
      <td>${items.length}</td>
      <td>${n('passed')}</td>
      <td>${n('failed')}</td>
      <td>${n('skipped')}</td>
      <td>${n('uncovered')}</td>
    </tr>`;
  };
  const { counts } = report.run;
  return html`<section id="summary" aria-labelledby="summary-title">
    <h2 id="summary-title">Summary</h2>
    <p class="verdict">
      Tests in this run: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped, in
      ${report.run.files} test
      files${report.run.brokenSuites.length > 0 ? html`; <a href="#broken-suites">${report.run.brokenSuites.length} test files could not run</a>` : ''}.
      Audit chain: ${chainInWords(report.chain)}.
    </p>
    <table>
      <caption>
        Coverage by the tests of this run
      </caption>
      <thead>
        <tr>
          <th scope="col">Catalogue</th>
          <th scope="col">Items</th>
          <th scope="col">Passed</th>
          <th scope="col">Failed</th>
          <th scope="col">Only skipped tests</th>
          <th scope="col">No test</th>
        </tr>
      </thead>
      <tbody>
        ${line('Portal rules', report.rules, 'rules')}
        ${line('Leak vectors', report.leakVectors, 'leak-vectors')}
        ${line('SMART checks', report.smartChecks, 'smart')}
      </tbody>
    </table>
  </section>`;
}

function provenanceSection(report: ReviewerReport): Html {
  const p = report.provenance;
  return html`<section id="provenance" aria-labelledby="provenance-title">
    <h2 id="provenance-title">Generated from</h2>
    <dl>
      <dt>Generated</dt>
      <dd>${timestamp(p.generatedAt)}</dd>
      <dt>Git commit</dt>
      <dd>
        ${p.commit ? html`<code>${p.commit}</code>${p.uncommittedChanges ? ' (with uncommitted changes)' : ''}` : 'not available'}
      </dd>
      <dt>Test results</dt>
      <dd>
        <code>${p.resultsFile}</code
        >${p.resultsWritten ? html`, written ${timestamp(p.resultsWritten)}` : ''}${report.run.startedAt ? html`; the run started ${timestamp(report.run.startedAt)}` : ''};
        jest’s verdict: ${report.run.success ? 'success' : 'failure'}
      </dd>
      <dt>Configuration</dt>
      <dd>${p.configFile ? html`<code>${p.configFile}</code>` : 'none given'}</dd>
    </dl>
  </section>`;
}

function configurationSection(config: ConfigurationSummary | undefined): Html {
  if (!config)
    return html`<section id="configuration" aria-labelledby="configuration-title">
      <h2 id="configuration-title">Active configuration</h2>
      <p>
        No configuration was given (<code>--config</code>): the presets in use and the audit chain are not
        part of this report.
      </p>
    </section>`;
  return html`<section id="configuration" aria-labelledby="configuration-title">
    <h2 id="configuration-title">Active configuration</h2>
    <p>
      From <code>${config.source}</code>. Database: ${config.database}. Audit records are kept
      ${config.retentionYears} years.
    </p>
    <table>
      <caption>
        Organisations and their policy presets
      </caption>
      <thead>
        <tr>
          <th scope="col">Organisation</th>
          <th scope="col">Preset</th>
          <th scope="col">Terms version</th>
          <th scope="col">Preset settings</th>
        </tr>
      </thead>
      <tbody>
        ${config.organisations.map(
          (o) =>
            html`<tr>
              <th scope="row">${o.name} <span class="muted">(${o.id})</span></th>
              <td><code>${o.preset.id}</code>: ${o.preset.title}</td>
              <td>
                ${o.termsVersion ?? 'not set'}${o.termsUrl && /^https?:\/\//i.test(o.termsUrl) ? html` (<a href="${o.termsUrl}">terms</a>)` : ''}
              </td>
              <td>
                <ul class="settings">
                  ${o.preset.settings.map(([k, v]) => html`<li>${k}: ${v}</li>`)}
                </ul>
              </td>
            </tr>`,
        )}
      </tbody>
    </table>
  </section>`;
}

function coverageSection(anchor: string, title: string, intro: Html, items: Coverage[]): Html {
  return html`<section id="${anchor}" aria-labelledby="${anchor}-title">
    <h2 id="${anchor}-title">${title}</h2>
    ${intro} ${groups(items).map(([group, members]) => coverageTable(group || title, members))}
  </section>`;
}

function smartSection(report: ReviewerReport): Html {
  return html`<section id="smart" aria-labelledby="smart-title">
    <h2 id="smart-title">SMART checks</h2>
    <p>
      The server checks of SMART App Launch 2.2 and Backend Services (docs/smart-checks.md: the Inferno and
      ONC (g)(10) kits), named <code>SMART-&lt;id&gt;</code> in tests; a letter after the number is a variant
      of the check (<code>SMART-E3a</code> is E3).
    </p>
    ${groups(report.smartChecks).map(([group, members]) => coverageTable(group, members))}
    ${
      report.otherSmart.length > 0
        ? html`<h3 id="smart-other">Further SMART tests (ids of our own, not in the checklist)</h3>
            ${coverageTable('SMART ids of our own', report.otherSmart, false)}`
        : ''
    }
  </section>`;
}

function coverageTable(caption: string, items: Coverage[], withText = true): Html {
  return html`<table class="coverage">
    <caption>
      ${caption}
    </caption>
    <thead>
      <tr>
        <th scope="col">Id</th>
        ${withText ? html`<th scope="col">What</th>` : ''}
        <th scope="col">Result</th>
        <th scope="col">Tests</th>
      </tr>
    </thead>
    <tbody>
      ${items.map(
        (c) =>
          html`<tr id="item-${c.id}" data-status="${c.status}">
            <th scope="row">${c.id}</th>
            ${withText ? html`<td>${c.item?.title ?? ''}${c.item?.detail ? html`<div class="detail">${c.item.detail}</div>` : ''}</td>` : ''}
            <td>${badge(c.status)}</td>
            <td>${testList(c)}</td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

function testList(c: Coverage): Html {
  if (c.tests.length === 0) return html`<span class="none">None in this run</span>`;
  const counts = (['passed', 'failed', 'skipped'] as TestStatus[])
    .map((s) => [s, c.tests.filter((t) => t.status === s).length] as const)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${n} ${s}`)
    .join(', ');
  const open = c.status === 'failed';
  return html`<details${open ? raw(' open') : ''}><summary>${c.tests.length} ${c.tests.length === 1 ? 'test' : 'tests'}: ${counts}</summary><ul class="tests">${c.tests.map(testItem)}</ul></details>`;
}

function testItem(t: TestResult): Html {
  return html`<li data-status="${t.status}">
    ${badge(t.status)} ${t.fullName}
    <span class="file">${t.file}</span>${t.failure ? html`<div class="failure">${t.failure}</div>` : ''}
  </li>`;
}

function chainSection(chain: ChainStatus): Html {
  let body: Html;
  switch (chain.state) {
    case 'not-checked':
      body = html`<p data-chain="not-checked"><strong>Not checked</strong>: ${chain.reason}.</p>`;
      break;
    case 'failed':
      body = html`<p data-chain="failed">
        <strong class="status status-failed">Could not be checked</strong>: ${chain.error}
      </p>`;
      break;
    case 'checked': {
      const r = chain.report;
      body = html`<p data-chain="${r.ok ? 'ok' : 'broken'}">
          ${r.ok ? html`<strong class="status status-passed">Intact</strong>` : html`<strong class="status status-failed">Broken</strong>`}:
          ${r.checked} ${r.checked === 1 ? 'record' : 'records'} checked (verifyChain).
        </p>
        <dl>
          <dt>Chain head</dt>
          <dd>sequence number ${r.headSeq}, hash <code>${r.headHash || 'none'}</code></dd>
          <dt>Start</dt>
          <dd>
            ${r.startSeq === 0 ? 'the first record ever written (nothing deleted by retention)' : html`after sequence number ${r.startSeq} (older records deleted by retention)`}
          </dd>
          <dt>Hashing</dt>
          <dd>
            ${chain.keyed ? 'HMAC-SHA-256 with INZAGE_AUDIT_KEY' : 'checked without INZAGE_AUDIT_KEY (plain SHA-256 links; a keyed record shows as key-missing)'}
          </dd>
          ${
            r.firstBroken
              ? html`<dt>First broken link</dt>
                  <dd>
                    <strong>${r.firstBroken.problem}</strong> at sequence number
                    ${r.firstBroken.seq}${r.firstBroken.id ? html` (record <code>${r.firstBroken.id}</code>)` : ''}:
                    ${r.firstBroken.detail}
                  </dd>`
              : ''
          }
        </dl>`;
      break;
    }
  }
  return html`<section id="audit-chain" aria-labelledby="audit-chain-title">
    <h2 id="audit-chain-title">Audit chain</h2>
    ${body}
  </section>`;
}

function brokenSuitesSection(report: ReviewerReport): Html {
  if (report.run.brokenSuites.length === 0) return html``;
  return html`<section id="broken-suites" aria-labelledby="broken-suites-title">
    <h2 id="broken-suites-title">Test files that could not run</h2>
    <p>Their tests are missing from this report: a rule they cover may show as having no test.</p>
    <ul>
      ${report.run.brokenSuites.map((s) => html`<li><code>${s.file}</code>: ${s.message}</li>`)}
    </ul>
  </section>`;
}

function chainInWords(chain: ChainStatus): string {
  switch (chain.state) {
    case 'not-checked':
      return 'not checked';
    case 'failed':
      return 'could not be checked';
    case 'checked':
      return chain.report.ok
        ? `intact (${chain.report.checked} records)`
        : `BROKEN at sequence number ${chain.report.firstBroken?.seq ?? '?'}`;
  }
}

const BADGE_TEXT: Record<CoverageStatus, string> = {
  passed: 'passed',
  failed: 'failed',
  skipped: 'skipped',
  uncovered: 'no test',
};

function badge(status: CoverageStatus): Html {
  return html`<span class="status status-${status}">${BADGE_TEXT[status]}</span>`;
}

/** Items by their group, in document order. */
function groups(items: Coverage[]): [string, Coverage[]][] {
  const byGroup = new Map<string, Coverage[]>();
  for (const c of items) {
    const group = c.item?.group ?? '';
    const list = byGroup.get(group);
    if (list) list.push(c);
    else byGroup.set(group, [c]);
  }
  return [...byGroup];
}

function timestamp(at: Date): Html {
  return html`<time datetime="${at.toISOString()}"
    >${at
      .toISOString()
      .replace('T', ' ')
      .replace(/\.\d+Z$/, ' UTC')}</time
  >`;
}

const STYLE = `
:root { color-scheme: light; }
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0 auto; max-width: 75rem; padding: 1rem 1.5rem 3rem; color: #1b1b1b; background: #fff; line-height: 1.45; }
h1 { font-size: 1.7rem; margin-bottom: 0.2rem; }
h2 { font-size: 1.35rem; margin-top: 2.2rem; border-bottom: 2px solid #ccc; padding-bottom: 0.2rem; }
h3 { font-size: 1.1rem; margin-top: 1.5rem; }
table { border-collapse: collapse; width: 100%; margin: 0.8rem 0 1.4rem; }
caption { text-align: left; font-weight: 600; padding: 0.3rem 0; }
th, td { border: 1px solid #bbb; padding: 0.35rem 0.5rem; text-align: left; vertical-align: top; }
thead th { background: #f0f0f0; }
tbody th { white-space: nowrap; }
table.coverage td:last-child { width: 38%; }
table.coverage td:nth-last-child(2) { white-space: nowrap; }
code { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 0.92em; overflow-wrap: anywhere; }
.detail { color: #444; font-size: 0.9em; margin-top: 0.25rem; }
.muted, .file { color: #4a4a4a; font-size: 0.88em; }
.file { font-family: ui-monospace, Menlo, Consolas, monospace; }
.status { display: inline-block; padding: 0 0.4rem; border-radius: 0.25rem; font-weight: 600; font-size: 0.88em; white-space: nowrap; border: 1px solid currentColor; }
.status-passed { color: #0b5d24; background: #e3f3e8; }
.status-failed { color: #9b1119; background: #fde7e9; }
.status-skipped { color: #5a4300; background: #fff3c4; }
.status-uncovered { color: #ffffff; background: #6a1b8a; border-color: #6a1b8a; }
tr[data-status="uncovered"] > th, tr[data-status="uncovered"] > td { background: #f6eefa; }
tr[data-status="failed"] > th, tr[data-status="failed"] > td { background: #fff5f6; }
.none { font-weight: 600; color: #5a1575; }
ul.tests, ul.settings { margin: 0.3rem 0 0; padding-left: 1.1rem; }
ul.tests li { margin: 0.2rem 0; }
.failure { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 0.85em; color: #9b1119; overflow-wrap: anywhere; }
summary { cursor: pointer; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.25rem 1rem; }
dt { font-weight: 600; }
dd { margin: 0; }
a { color: #0b4f9c; }
`;
