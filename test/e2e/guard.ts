// The guard every browser test runs under. It fails the test on anything a
// visitor should never cause: a CSP violation (seen in the page, and at the
// server's report endpoint), an uncaught page error, a console error, a
// dialog (alert/confirm/prompt: the classic proof of XSS), the XSS marker
// global `window.__xss` being set, or a server answer of 500 or more. CSP
// reports reaching the report endpoint (recorded by the harness's proxy) count
// against the guard whose page they name.
//
// The listener is installed with addInitScript, which the browser runs through
// its debugging protocol before any page script: it is not an inline script,
// so the page's CSP does not apply to it (guard.test.ts proves it runs and
// reports under the production policy).
import type { BrowserContext, ConsoleMessage, Dialog } from 'playwright-core';
import type { Site } from './harness.js';

const BINDING = '__mathsocE2eReport';

/** Runs in every frame of every page before the page's own scripts. */
function pageProbe(binding: string): void {
  const report = (kind: string, detail: Record<string, unknown>) => {
    const fn = (window as unknown as Record<string, unknown>)[binding];
    if (typeof fn === 'function') (fn as (k: string, d: unknown) => void)(kind, detail);
  };
  document.addEventListener(
    'securitypolicyviolation',
    (e) => {
      report('csp', {
        directive: e.effectiveDirective,
        blockedURI: e.blockedURI,
        sourceFile: e.sourceFile,
        line: e.lineNumber,
        sample: e.sample,
        page: location.href,
      });
    },
    true,
  );
  let marker: unknown;
  Object.defineProperty(window, '__xss', {
    configurable: false,
    get: () => marker,
    set: (value: unknown) => {
      marker = value;
      report('xss', { value: String(value), page: location.href });
    },
  });
}

export interface Problem {
  kind: 'csp' | 'csp-report' | 'console' | 'pageerror' | 'dialog' | 'xss' | 'server';
  text: string;
}

export class PageGuard {
  readonly problems: Problem[] = [];
  private readonly allowedConsole: RegExp[] = [];
  private readonly allowedOnce: RegExp[] = [];
  private reportsAtStart: number;
  private serverErrorsAtStart: number;

  private constructor(private readonly site: Site) {
    this.reportsAtStart = site.cspReports.length;
    this.serverErrorsAtStart = site.serverErrors.length;
  }

  /** Documents this context loaded: a CSP report belongs to the guard whose page it names. */
  private readonly documents = new Set<string>();

  private ownsReport(body: string): boolean {
    let urls: string[];
    try {
      const parsed = JSON.parse(body) as unknown;
      const list = Array.isArray(parsed) ? parsed : [parsed];
      urls = list.map((r) => {
        const o = r as { body?: { documentURL?: string }; 'csp-report'?: { 'document-uri'?: string } };
        return o.body?.documentURL ?? o['csp-report']?.['document-uri'] ?? '';
      });
    } catch {
      return true; // unreadable: count it against every test, never lose it
    }
    return urls.some((u) => !u || this.documents.has(u.split('#')[0]!));
  }

  /** Watches every page the context opens (popups and new tabs included). */
  static async attach(context: BrowserContext, site: Site): Promise<PageGuard> {
    const guard = new PageGuard(site);
    await context.exposeBinding(BINDING, (_source, kind: string, detail: Record<string, unknown>) => {
      guard.problems.push({ kind: kind === 'xss' ? 'xss' : 'csp', text: JSON.stringify(detail) });
    });
    await context.addInitScript(pageProbe, BINDING);
    context.on('request', (request) => {
      if (request.isNavigationRequest()) guard.documents.add(request.url().split('#')[0]!);
    });
    context.on('console', (msg: ConsoleMessage) => {
      if (msg.type() !== 'error') return;
      const text = `${msg.text()} (at ${msg.location().url || msg.page()?.url() || '?'})`;
      const once = guard.allowedOnce.findIndex((re) => re.test(text));
      if (once >= 0) guard.allowedOnce.splice(once, 1);
      else if (!guard.allowedConsole.some((re) => re.test(text))) guard.problems.push({ kind: 'console', text });
    });
    context.on('weberror', (err) => {
      guard.problems.push({ kind: 'pageerror', text: `${err.error().message} (on ${err.page()?.url() ?? '?'})` });
    });
    context.on('dialog', (dialog: Dialog) => {
      guard.problems.push({
        kind: 'dialog',
        text: `${dialog.type()}: ${dialog.message()} (on ${dialog.page()?.url() ?? '?'})`,
      });
      void dialog.dismiss().catch(() => undefined);
    });
    return guard;
  }

  /**
   * Lets a console error through when a test causes it on purpose, e.g. the
   * browser's "Failed to load resource: 404" when a test opens a missing page.
   */
  allowConsoleError(pattern: RegExp): void {
    this.allowedConsole.push(pattern);
  }

  /** Lets one matching console error through (then the pattern is used up). */
  allowConsoleErrorOnce(pattern: RegExp): void {
    this.allowedOnce.push(pattern);
  }

  /** Everything wrong so far, including what reached the server. */
  collect(): Problem[] {
    const found = [...this.problems];
    for (const r of this.site.cspReports.slice(this.reportsAtStart)) {
      if (this.ownsReport(r.body))
        found.push({ kind: 'csp-report', text: `${r.contentType}: ${r.body.slice(0, 600)}` });
    }
    // A server error cannot be traced to a page: every guard open at the time reports it.
    for (const e of this.site.serverErrors.slice(this.serverErrorsAtStart)) {
      found.push({ kind: 'server', text: `${e.status} for ${e.method} ${e.path}` });
    }
    return found;
  }

  /** What went wrong so far, which then no longer counts against the test (for tests of the guard itself). */
  take(): Problem[] {
    const found = this.collect();
    this.problems.length = 0;
    this.allowedOnce.length = 0;
    this.reportsAtStart = this.site.cspReports.length;
    this.serverErrorsAtStart = this.site.serverErrors.length;
    return found;
  }
}

/** One readable failure message for a list of problems (or null when clean). */
export function describeProblems(problems: Problem[]): string | null {
  if (!problems.length) return null;
  return `The browser saw ${problems.length} problem(s):\n${problems.map((p) => `  - [${p.kind}] ${p.text}`).join('\n')}`;
}
