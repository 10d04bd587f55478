import { buildReviewerReport, type ReportInputs } from '../../src/report/build';
import type { ChainStatus } from '../../src/report/chain';
import { escapeHtml, html, raw } from '../../src/report/html';
import { renderReport } from '../../src/report/render';
import type { TestResult } from '../../src/report/results';

const test = (title: string, status: TestResult['status'], failure?: string): TestResult => ({
  file: 'test/x.test.ts',
  ancestors: [],
  title,
  fullName: title,
  status,
  ...(failure ? { failure } : {}),
});

function inputs(chain: ChainStatus, tests: TestResult[]): ReportInputs {
  return {
    provenance: { generatedAt: new Date('2026-12-01T12:00:00Z'), resultsFile: '/tmp/r.json' },
    catalogues: {
      rules: [{ kind: 'rule', id: 'M-1', group: 'Org', title: 'the client <sees> "it"' }],
      leakVectors: [{ kind: 'leak-vector', id: 'LV-1', group: 'Leak vectors', title: 'Totals & counts' }],
      smartChecks: [{ kind: 'smart', id: 'SMART-D1', group: 'Discovery', title: 'GET smart-configuration' }],
    },
    run: {
      success: true,
      files: 1,
      tests,
      brokenSuites: [],
      counts: { passed: tests.length, failed: 0, skipped: 0 },
    },
    chain,
  };
}

/** The page with its whitespace collapsed, as a browser reads it (the templates are formatted by Prettier). */
const flat = (page: string) => page.replace(/\s+/g, ' ').replace(/\s+>/g, '>').replace(/>\s+</g, '><');

describe('HTML escaping', () => {
  it('REPORT-HTML-1: text is escaped for element content and attributes; Html made by the template is kept', () => {
    expect(escapeHtml(`<a href="x" title='y'>&amp;</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;',
    );
    const name = '<img src=x onerror=alert(1)>';
    const inner = html`<b>${name}</b>`;
    expect(
      html`<p title="${'" onmouseover="x'}">${inner}${[name, raw('<br>')]}${undefined}${false}${0}</p>`
        .markup,
    ).toBe(
      '<p title="&quot; onmouseover=&quot;x"><b>&lt;img src=x onerror=alert(1)&gt;</b>&lt;img src=x onerror=alert(1)&gt;<br>0</p>',
    );
  });

  it('REPORT-HTML-2: test names, failures and catalogue text with markup appear as text, and the page loads nothing', () => {
    const page = flat(
      renderReport(
        buildReviewerReport(
          inputs({ state: 'not-checked', reason: 'no configuration' }, [
            test('LV-1: <script>alert("t")</script>', 'passed'),
            test('M-1: </td></tr><tr><td>x', 'failed', 'Expected: <img src=x>'),
          ]),
        ),
      ),
    );
    expect(page).toContain('LV-1: &lt;script&gt;alert(&quot;t&quot;)&lt;/script&gt;');
    expect(page).toContain('M-1: &lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;x');
    expect(page).toContain('Expected: &lt;img src=x&gt;');
    expect(page).toContain('the client &lt;sees&gt; &quot;it&quot;');
    expect(page).toContain('Totals &amp; counts');
    expect(page).not.toMatch(/<(script|link|img|iframe|object|embed|audio|video|source)\b/i);
    expect(page).not.toMatch(/<[^>]+\s(src|srcset)=|url\(|@import/i);
    expect(page).toContain(`content="default-src 'none'; style-src 'unsafe-inline'"`);
    // The one failed test opens its list; the uncovered check is marked.
    expect(page).toMatch(/<tr id="item-M-1" data-status="failed">.*<details open>/);
    expect(page).toMatch(/<tr id="item-SMART-D1" data-status="uncovered">.*no test.*None in this run/);
    expect(page).toContain('<p data-chain="not-checked"><strong>Not checked</strong>: no configuration.</p>');
  });

  it('REPORT-HTML-3: a broken chain names the problem, the sequence number and the record', () => {
    const page = flat(
      renderReport(
        buildReviewerReport(
          inputs(
            {
              state: 'checked',
              keyed: true,
              report: {
                ok: false,
                checked: 4,
                keyed: 4,
                unkeyed: 0,
                startSeq: 0,
                headSeq: 9,
                headHash: 'ab'.repeat(32),
                firstBroken: {
                  problem: 'changed',
                  seq: 5,
                  id: 'rec-5',
                  detail: 'the hash is not <that> of its content',
                },
              },
            },
            [],
          ),
        ),
      ),
    );
    expect(page).toContain(
      '<p data-chain="broken"><strong class="status status-failed">Broken</strong>: 4 records checked',
    );
    expect(page).toContain(
      '<strong>changed</strong> at sequence number 5 (record <code>rec-5</code>): the hash is not &lt;that&gt; of its content',
    );
    expect(page).toContain('HMAC-SHA-256 with INZAGE_AUDIT_KEY');
    expect(page).toContain('Audit chain: BROKEN at sequence number 5.');
    const failed = flat(
      renderReport(buildReviewerReport(inputs({ state: 'failed', error: 'no <database>' }, []))),
    );
    expect(failed).toContain('Could not be checked</strong>: no &lt;database&gt;');
  });
});
