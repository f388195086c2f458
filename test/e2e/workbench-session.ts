/**
 * The hooks every workbench journey file needs: one web-mode session and page for the file, the
 * workbench opened, each test failing on an unexpected console error, page error or CSP
 * violation, and everything closed at the end. Kept out of harness.ts, which benches import
 * outside vitest.
 */
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { startSession, type E2eSession } from './harness';
import { WorkbenchPage } from './workbench-page';

/** Registers the hooks; `ready` receives the session and page object once they are open. */
export function useWorkbenchSession(ready: (session: E2eSession, ui: WorkbenchPage) => void): void {
  let session: E2eSession | undefined;

  beforeAll(async () => {
    session = await startSession({ colorScheme: 'light', locale: 'en-US' });
    const ui = new WorkbenchPage(session.page);
    await ui.open(session.server.url);
    ready(session, ui);
  });

  afterEach(() => {
    if (!session) return;
    expect(session.unexpectedProblems(), 'console errors, page errors or CSP violations').toEqual([]);
  });

  afterAll(async () => {
    await session?.close();
  });
}
