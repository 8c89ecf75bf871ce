// Debian's Chromium, headless, as lifeline's browser tests and dashboard benchmark start
// it: no browser download, no connection anywhere but the page's own origin (the
// background-networking flags keep Chromium from calling home), a fresh profile each run.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { chromium } from 'playwright-core';

export const FLAGS = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--no-first-run',
    '--disable-quic',
    '--disable-sync',
];

/** A persistent context on a new temporary profile (`--user-data-dir`), removed when the
 *  context closes. */
export async function launch({ executablePath, prefix = 'lifeline-chromium-', ...options }) {
    const profile = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    const context = await chromium.launchPersistentContext(profile, {
        executablePath: executablePath || process.env.LIFELINE_CHROMIUM || '/usr/bin/chromium',
        headless: true,
        viewport: { width: 1280, height: 900 },
        args: FLAGS,
        ...options,
    });
    // Chromium may still be writing its caches as it exits: retry, and never fail a run
    // over a temporary folder.
    context.on('close', () => {
        try {
            fs.rmSync(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
        } catch {
            // left in the temporary folder
        }
    });
    return context;
}
