// End-to-end scenario of lifeline's web dashboard in headless Chromium (Debian's
// /usr/bin/chromium driven by playwright-core). `crates/lifeline-cli/tests/browser.rs` starts
// `lifeline serve` on a fresh database, creates the users, runs the CLI for the expected
// figures, then runs this script and checks what it saved (the CSV and JSON downloads).
//
// What it checks, in order (the ids and URLs are /work/wt/DASHBOARD.md's contract):
//   - an anonymous visit to / ends on /login; Tab on /login reaches #user, #password and the
//     submit button in that order;
//   - the admin logs in, Tab on the overview reaches the links of nav#main-nav in order;
//   - the admin uploads the IV-fluids example through form#network-upload, lands on the
//     network's stress page and (without reloading: the page refreshes itself) sees
//     table#stress-table; the overview ranks `iv-plant-nc` first in table#ranking;
//   - its detail page shows dd#tts whose data-value is the CLI report's exact `tts`, and
//     whose text is that number rounded to 2 decimals with the unit;
//   - a#download-csv and a#download-json are downloads, saved for the Rust side to compare
//     byte for byte with `lifeline stress --format csv|json`;
//   - the network page draws #supply-map (it gets data-state="ready"), and the plant's
//     "Show on map" button in #entity-table opens #entity-panel with its TTS;
//   - the simulation page of the plant shows table#sim-table; a 50-replication Monte Carlo
//     run started from form#montecarlo-form ends with table#mc-table (the page refreshes
//     itself);
//   - uploading fixtures/invalid-network.json answers 422 with #upload-errors (role=alert):
//     one item per diagnostic of `lifeline validate --format json`, each naming its field
//     path and message, the list naming the file;
//   - EPCIS events uploaded through form#epcis-upload list a product's history on /trace
//     (table#trace-events); an SBOM goes up through form#sbom-upload to /vulnerabilities;
//   - the admin logs out; the viewer sees no form#network-upload on /uploads nor on any nav
//     page, and a forged upload (with a valid csrf token) is refused with 403;
//   - another organisation's admin cannot open the network's pages (403 or 404);
//   - the admin declares an incident on the network through form#declare-incident (the EDI
//     exchange down), lands on its page with div#task-board (one column per function), moves
//     a task with its status form and sees the change on table#incident-timeline, and opens
//     the after-action report;
//   - axe-core finds no serious or critical violation on the login page, every page linked
//     from nav#main-nav, the stress, entity-detail, network, simulation and Monte Carlo
//     pages, the vendor risk register and a vendor's report, the incident list, an
//     incident's page and its after-action report, and the uploads page with
//     errors and the viewer's; a full-page screenshot of each goes to the artefacts folder;
//   - with JavaScript off, the viewer logs in and reads the overview, the stress page and
//     the detail page (only the map needs JavaScript);
//   - Tab shows where the focus is on the login form and the nav links (outline or shadow);
//   - throughout: no request leaves the server's origin, no Content Security Policy
//     violation, no uncaught script error, no 5xx answer, no failed /assets/ request.
//
// Environment (all required):
//   LIFELINE_BASE_URL            http://127.0.0.1:PORT
//   LIFELINE_ADMIN_USER, LIFELINE_ADMIN_PASSWORD     admin of organisation 1
//   LIFELINE_VIEWER_USER, LIFELINE_VIEWER_PASSWORD   viewer of organisation 1
//   LIFELINE_OTHER_USER, LIFELINE_OTHER_PASSWORD     admin of organisation 2
//   LIFELINE_NETWORK             the example to upload (examples/iv-fluids.json)
//   LIFELINE_INVALID_NETWORK     the invalid fixture
//   LIFELINE_EPCIS               EPCIS events to upload (examples/trace/iv-fluids-shipments.jsonld)
//   LIFELINE_SBOM                an SBOM to upload (CycloneDX)
//   LIFELINE_EXPECTED_STRESS     `lifeline stress NETWORK --format json`, saved to a file
//   LIFELINE_EXPECTED_VALIDATE   `lifeline validate INVALID --format json`, saved to a file
//   LIFELINE_ARTIFACTS           folder for screenshots, downloads and the axe report
// Optional: LIFELINE_CHROMIUM (default /usr/bin/chromium), LIFELINE_STRESS_TIMEOUT_MS
// (default 120000).
//
// Exit status: 0 when every check passed, 1 when one failed (each failure is listed on
// stderr), 2 on a usage error.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { launch } from './chromium.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));

/** The entity the IV-fluids example must rank first: the North Carolina plant. */
const FIRST_ENTITY = 'iv-plant-nc';
/** The vendor examples/iv-fluids.vendors.json must rank first: the North Cove plant's. */
const FIRST_VENDOR = 'north-cove-iv';
/** The links every page's nav#main-nav carries, in order (the contract). */
const NAV_LINKS = ['/', '/networks', '/trace', '/vulnerabilities', '/uploads'];
/** A product of examples/trace/iv-fluids-shipments.jsonld with several events. */
const TRACED_EPC = 'urn:epc:id:sgtin:0614141.020001.1001';
/** axe-core impacts that fail the test. */
const FAILING_IMPACTS = new Set(['serious', 'critical']);

function required(name) {
    const value = process.env[name];
    if (!value) {
        console.error(`dashboard.mjs: the environment variable ${name} is not set`);
        process.exit(2);
    }
    return value;
}

const env = {
    base: required('LIFELINE_BASE_URL').replace(/\/$/, ''),
    admin: { user: required('LIFELINE_ADMIN_USER'), password: required('LIFELINE_ADMIN_PASSWORD') },
    viewer: { user: required('LIFELINE_VIEWER_USER'), password: required('LIFELINE_VIEWER_PASSWORD') },
    other: { user: required('LIFELINE_OTHER_USER'), password: required('LIFELINE_OTHER_PASSWORD') },
    network: required('LIFELINE_NETWORK'),
    invalid: required('LIFELINE_INVALID_NETWORK'),
    epcis: required('LIFELINE_EPCIS'),
    sbom: required('LIFELINE_SBOM'),
    vendors: required('LIFELINE_VENDORS'),
    expectedStress: JSON.parse(fs.readFileSync(required('LIFELINE_EXPECTED_STRESS'), 'utf8')),
    expectedValidate: JSON.parse(fs.readFileSync(required('LIFELINE_EXPECTED_VALIDATE'), 'utf8')),
    artifacts: required('LIFELINE_ARTIFACTS'),
    chromium: process.env.LIFELINE_CHROMIUM || '/usr/bin/chromium',
    stressTimeout: Number(process.env.LIFELINE_STRESS_TIMEOUT_MS || 120000),
};
const origin = new URL(env.base).origin;
fs.mkdirSync(env.artifacts, { recursive: true });

// ---- bookkeeping ------------------------------------------------------------------------

const failures = [];
let currentStep = '(start)';

function fail(message) {
    failures.push(`[${currentStep}] ${message}`);
    console.error(`FAIL [${currentStep}] ${message}`);
}

function check(condition, message) {
    if (!condition) {
        fail(message);
    }
    return Boolean(condition);
}

/** Text with whitespace collapsed and the backticks of the CLI's messages dropped. */
function normalise(text) {
    return String(text ?? '').replace(/`/g, '').replace(/\s+/g, ' ').trim();
}

function pathOf(url) {
    const parsed = new URL(url, env.base);
    return parsed.pathname;
}

// ---- the browser ------------------------------------------------------------------------

const context = await launch({ executablePath: env.chromium, acceptDownloads: true });
const page = context.pages()[0] ?? (await context.newPage());
page.setDefaultTimeout(15000);
page.setDefaultNavigationTimeout(30000);
const axeSource = fs.readFileSync(path.join(here, 'node_modules/axe-core/axe.min.js'), 'utf8');

// Watchers for the whole run: everything the dashboard loads comes from its own origin
// (every asset embedded, nothing from a CDN), the CSP holds without violations, scripts do
// not throw, the server never answers 5xx and no asset is missing.
context.on('request', (request) => {
    const url = request.url();
    if (/^(data|blob|about):/.test(url)) {
        return;
    }
    if (new URL(url).origin !== origin) {
        fail(`a request left the server's origin: ${request.method()} ${url}`);
    }
});
context.on('response', (response) => {
    const status = response.status();
    const url = response.url();
    if (status >= 500) {
        fail(`${response.request().method()} ${url} answered ${status}`);
    } else if (status >= 400 && pathOf(url).startsWith('/assets/')) {
        fail(`asset ${url} answered ${status}`);
    }
});
context.on('requestfailed', (request) => {
    // A download or a navigation replaced by the next one is not a failure.
    const reason = request.failure()?.errorText ?? '';
    if (!/ERR_ABORTED/.test(reason)) {
        fail(`request failed: ${request.method()} ${request.url()}: ${reason}`);
    }
});
page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) {
        fail(`CSP violation on ${page.url()}: ${message.text()}`);
    }
});
page.on('pageerror', (error) => fail(`script error on ${page.url()}: ${error.message}`));

// ---- helpers ------------------------------------------------------------------------------

/** Goes to `target` (a path) and checks the answer's status; the response. */
async function visit(target, expectedStatus = 200) {
    const response = await page.goto(`${env.base}${target}`, { waitUntil: 'load' });
    check(response !== null, `GET ${target}: no response`);
    if (response !== null) {
        check(response.status() === expectedStatus, `GET ${target}: HTTP ${response.status()}, expected ${expectedStatus}`);
    }
    return response;
}

const audited = [];

/** A full-page screenshot named `name`, then axe-core on the page as it is. */
async function audit(name) {
    const file = path.join(env.artifacts, `${name}.png`);
    await page.screenshot({ path: file, fullPage: true });
    // page.addScriptTag would insert an inline <script>, which the dashboard's CSP
    // (default-src 'self') rightly blocks; evaluating through the DevTools protocol is not
    // subject to the page's CSP, so the CSP stays on for the whole run.
    await page.evaluate(axeSource);
    const result = await page.evaluate(() =>
        // eslint-disable-next-line no-undef
        window.axe.run(document, { resultTypes: ['violations'] }),
    );
    const serious = result.violations.filter((violation) => FAILING_IMPACTS.has(violation.impact));
    audited.push({
        page: name,
        url: page.url(),
        screenshot: path.basename(file),
        violations: result.violations.map((violation) => ({
            id: violation.id,
            impact: violation.impact,
            help: violation.help,
            nodes: violation.nodes.map((node) => node.target.join(' ')),
        })),
    });
    for (const violation of serious) {
        const nodes = violation.nodes
            .slice(0, 5)
            .map((node) => node.target.join(' '))
            .join(', ');
        const more = violation.nodes.length > 5 ? ` and ${violation.nodes.length - 5} more` : '';
        fail(`axe on ${name} (${page.url()}): ${violation.impact} ${violation.id}: ${violation.help} (${nodes}${more}) ${violation.helpUrl}`);
    }
    console.log(`  ${name}: ${result.violations.length} axe violation(s), ${serious.length} serious or critical; ${path.basename(file)}`);
}

/** What has the focus: enough to say which control it is. */
async function focused() {
    return page.evaluate(() => {
        const element = document.activeElement;
        if (!element || element === document.body) {
            return { tag: 'body' };
        }
        return {
            tag: element.tagName.toLowerCase(),
            id: element.id || null,
            href: element.getAttribute('href'),
            type: element.getAttribute('type'),
            inLogin: Boolean(element.closest('form#login')),
            inNav: Boolean(element.closest('nav#main-nav')),
            // A keyboard user must see where the focus is (WCAG 2.4.7): an outline or a
            // box shadow, the browser's own or the page's.
            focusVisible: (() => {
                const style = getComputedStyle(element);
                return (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0) || style.boxShadow !== 'none';
            })(),
            text: (element.innerText || element.value || '').trim().slice(0, 40),
        };
    });
}

/** The controls Tab reaches from the top of the freshly loaded page, `presses` times. */
async function tabWalk(presses) {
    const walk = [];
    for (let i = 0; i < presses; i += 1) {
        await page.keyboard.press('Tab');
        walk.push(await focused());
    }
    return walk;
}

function describe(control) {
    if (control.tag === 'body') {
        return 'body';
    }
    return `${control.tag}${control.id ? `#${control.id}` : ''}${control.href ? `[href=${control.href}]` : ''}${control.type ? `[type=${control.type}]` : ''}`;
}

/** Checks that `expected` (predicates, with names) are met by `walk` in that order. */
function checkOrder(walk, expected, what) {
    let at = 0;
    for (const [name, matches] of expected) {
        while (at < walk.length && !matches(walk[at])) {
            at += 1;
        }
        if (at === walk.length) {
            fail(`${what}: Tab never reached ${name} after the earlier ones; Tab went through ${walk.map(describe).join(' → ')}`);
            return;
        }
        at += 1;
    }
}

async function login(who) {
    await visit('/login');
    await page.fill('form#login input#user', who.user);
    await page.fill('form#login input#password', who.password);
    await Promise.all([
        page.waitForURL((url) => url.pathname !== '/login', { waitUntil: 'load' }),
        page.click('form#login [type=submit]'),
    ]);
    check(pathOf(page.url()) === '/', `after logging in as ${who.user}: on ${page.url()}, expected /`);
}

async function logout() {
    const [response] = await Promise.all([
        page.waitForResponse((r) => r.request().method() === 'POST' && pathOf(r.url()) === '/logout'),
        page.click('form#logout [type=submit]'),
    ]);
    check(response.status() < 400, `POST /logout answered ${response.status()}`);
    await page.waitForLoadState('load');
    await visit('/', 200);
    check(pathOf(page.url()) === '/login', `after logging out, / shows ${page.url()}, expected the login page`);
}

/** The hrefs of nav#main-nav's links on the current page. */
async function navLinks() {
    return page.$$eval('nav#main-nav a[href]', (links) => links.map((link) => link.getAttribute('href')));
}

// ---- the scenario -------------------------------------------------------------------------

const state = { networkId: null };

async function step(name, body) {
    currentStep = name;
    console.log(`- ${name}`);
    try {
        await body();
    } catch (error) {
        fail(`${error.message.split('\n').slice(0, 6).join(' | ')}`);
        try {
            await page.screenshot({ path: path.join(env.artifacts, `failed-${name.replace(/\W+/g, '-')}.png`), fullPage: true });
        } catch {
            // the screenshot of a failure is a courtesy
        }
    }
}

function needNetwork() {
    if (state.networkId === null) {
        throw new Error('no network id: the upload step failed');
    }
    return state.networkId;
}

await step('anonymous visit and the login page', async () => {
    await visit('/');
    check(pathOf(page.url()) === '/login', `an anonymous GET / ends on ${page.url()}, expected /login`);
    await visit('/login');
    check(await page.locator('form#login').count() === 1, 'no form#login on /login');
    const walk = await tabWalk(12);
    checkOrder(
        walk,
        [
            ['input#user', (c) => c.id === 'user' && c.inLogin],
            ['input#password', (c) => c.id === 'password' && c.inLogin],
            ['the submit button', (c) => c.inLogin && c.type === 'submit'],
        ],
        'keyboard on /login',
    );
    for (const control of walk.filter((c) => c.inLogin)) {
        check(control.focusVisible, `keyboard on /login: ${describe(control)} shows no focus indicator (outline or box-shadow) when focused`);
    }
    await audit('login');
});

await step('admin logs in; keyboard reaches the nav links', async () => {
    await login(env.admin);
    const links = await navLinks();
    for (const link of NAV_LINKS) {
        check(links.includes(link), `nav#main-nav has no link to ${link} (it links ${links.join(', ')})`);
    }
    check(await page.locator('form#logout').count() === 1, 'no form#logout on the overview');
    await visit('/');
    const walk = await tabWalk(links.length + 6);
    checkOrder(
        walk,
        links.map((link) => [`nav link ${link}`, (c) => c.inNav && c.href === link]),
        'keyboard on /',
    );
    for (const control of walk.filter((c) => c.inNav || c.inLogin)) {
        check(control.focusVisible, `keyboard on /: ${describe(control)} shows no focus indicator (outline or box-shadow) when focused`);
    }
});

await step('admin uploads the IV-fluids example', async () => {
    await visit('/uploads');
    const form = page.locator('form#network-upload');
    check(await form.count() === 1, 'no form#network-upload on /uploads for the admin');
    await page.fill('form#network-upload input#network-name', 'iv-fluids');
    await page.setInputFiles('form#network-upload input#network-file', env.network);
    await Promise.all([
        page.waitForURL(/\/networks\/[^/]+\/stress$/, { waitUntil: 'load' }),
        page.click('form#network-upload [type=submit]'),
    ]);
    const match = /\/networks\/([^/]+)\/stress$/.exec(pathOf(page.url()));
    state.networkId = decodeURIComponent(match[1]);
    console.log(`  network ${state.networkId}`);
    // The stress job runs in the background; the page refreshes itself until it is done,
    // so this waits without reloading.
    const table = page.locator('table#stress-table');
    if (await table.count() === 0) {
        check(
            await page.locator('progress#job-progress').count() === 1,
            'the stress page shows neither table#stress-table nor progress#job-progress',
        );
    }
    await table.waitFor({ state: 'visible', timeout: env.stressTimeout });
    const rows = await page.locator('table#stress-table tbody tr').count();
    check(
        rows === env.expectedStress.scenarios.length,
        `table#stress-table has ${rows} rows, the CLI's report ${env.expectedStress.scenarios.length} scenarios`,
    );
    check(await page.locator('svg#tts-ttr-chart').count() === 1, 'no svg#tts-ttr-chart on the stress page');
    await audit('network-stress');
});

await step('the overview ranks the North Carolina plant first', async () => {
    needNetwork();
    await visit('/');
    await page.locator('table#ranking').waitFor({ state: 'visible', timeout: env.stressTimeout });
    const first = page.locator('table#ranking tbody tr').first();
    const link = first.locator('a.entity');
    const href = await link.getAttribute('href');
    check(
        href !== null && pathOf(href) === `/networks/${state.networkId}/entities/${FIRST_ENTITY}`,
        `the first row of table#ranking links ${href}, expected /networks/${state.networkId}/entities/${FIRST_ENTITY}`,
    );
    const firstCell = normalise(await first.locator('td, th').first().innerText());
    check(firstCell === '1', `the first row of table#ranking starts with \`${firstCell}\`, expected rank 1`);
    // The ranking is the report's order (the overview may show only the highest).
    const ranked = (await page.locator('table#ranking tbody tr a.entity').evaluateAll((links) => links.map((a) => a.getAttribute('href'))))
        .map((href) => decodeURIComponent(pathOf(href).split('/').pop()));
    const reportOrder = env.expectedStress.scenarios.map((s) => s.id).slice(0, ranked.length);
    check(
        ranked.length > 0 && JSON.stringify(ranked) === JSON.stringify(reportOrder),
        `table#ranking lists ${JSON.stringify(ranked)}, the CLI's report ranks ${JSON.stringify(reportOrder)}`,
    );
    check(await page.locator('#first-short').count() === 1, 'no #first-short on the overview');
    await audit('overview');
    await Promise.all([page.waitForURL(/\/entities\//, { waitUntil: 'load' }), link.click()]);
});

await step("the plant's detail shows the report's TTS", async () => {
    const id = needNetwork();
    const expectedPath = `/networks/${id}/entities/${FIRST_ENTITY}`;
    if (pathOf(page.url()) !== expectedPath) {
        fail(`the ranking's link led to ${page.url()}, expected ${expectedPath}`);
        await visit(expectedPath);
    }
    const scenario = env.expectedStress.scenarios.find((s) => s.id === FIRST_ENTITY);
    if (!scenario) {
        throw new Error(`the CLI's report has no scenario ${FIRST_ENTITY}`);
    }
    const tts = page.locator('dl#scenario dd#tts');
    const value = await tts.getAttribute('data-value');
    check(
        value !== null && Number(value) === scenario.tts,
        `dd#tts data-value is \`${value}\`, the CLI's tts for ${FIRST_ENTITY} is ${scenario.tts}`,
    );
    const text = normalise(await tts.innerText());
    const rounded = `${scenario.tts.toFixed(2)} days`;
    check(text.includes(rounded), `dd#tts reads \`${text}\`, expected \`${rounded}\``);
    console.log(`  dd#tts data-value=${value} text="${text}" (CLI tts ${scenario.tts})`);
    for (const selector of ['#ttr', '#gap', 'table#lost-units', 'table#reroute']) {
        check(await page.locator(selector).count() === 1, `no ${selector} on ${expectedPath}`);
    }
    const lost = Object.values(scenario.lost_units ?? {}).filter((units) => units > 0).length;
    const lostRows = await page.locator('table#lost-units tbody tr').count();
    check(lostRows === lost, `table#lost-units has ${lostRows} rows, the report ${lost} hospital-item pairs with lost units`);
    await audit('entity-detail');
});

await step('CSV and JSON downloads', async () => {
    const id = needNetwork();
    await visit(`/networks/${id}/stress`);
    for (const [selector, file, href] of [
        ['a#download-csv', 'stress.csv', `/networks/${id}/stress.csv`],
        ['a#download-json', 'stress.json', `/networks/${id}/stress.json`],
    ]) {
        const link = page.locator(selector);
        const target = await link.getAttribute('href');
        check(target !== null && pathOf(target) === href, `${selector} links ${target}, expected ${href}`);
        const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
        const failure = await download.failure();
        check(failure === null, `${selector}: the download failed: ${failure}`);
        await download.saveAs(path.join(env.artifacts, file));
        console.log(`  ${selector} saved as ${file} (suggested name ${download.suggestedFilename()})`);
    }
});

await step('the network page draws the map', async () => {
    const id = needNetwork();
    await visit(`/networks/${id}`);
    await page.locator('#supply-map').waitFor({ state: 'visible' });
    // map.js marks the map once cytoscape has drawn it.
    await page.locator('#supply-map[data-state="ready"]').waitFor({ state: 'attached', timeout: 30000 });
    // Selecting the plant (the accessible table's button, as a keyboard user would) shows
    // its scenario beside the map.
    const show = page.locator(`#entity-table tr[data-entity="${FIRST_ENTITY}"] button.show-on-map`);
    await show.click();
    const panel = page.locator('#entity-panel');
    await panel.locator('h2', { hasText: FIRST_ENTITY }).waitFor({ state: 'visible' });
    const scenario = env.expectedStress.scenarios.find((s) => s.id === FIRST_ENTITY);
    const panelText = normalise(await panel.innerText());
    check(
        scenario !== undefined && panelText.includes(scenario.tts.toFixed(2)),
        `#entity-panel for ${FIRST_ENTITY} does not show its TTS ${scenario?.tts.toFixed(2)}: ${panelText.slice(0, 300)}`,
    );
    await audit('network-map');
});

await step('the simulation and Monte Carlo pages', async () => {
    const id = needNetwork();
    await visit(`/networks/${id}/simulate?scenario=${FIRST_ENTITY}`);
    check(await page.locator('table#sim-table').count() === 1, `no table#sim-table on the simulation of ${FIRST_ENTITY}`);
    await audit('network-simulate');
    await visit(`/networks/${id}/montecarlo`);
    await audit('network-montecarlo-form');
    // A small run through the job queue; the page refreshes itself until it is done.
    await page.selectOption('form#montecarlo-form select#mc-outage', FIRST_ENTITY);
    await page.fill('form#montecarlo-form input#mc-replications', '50');
    await Promise.all([
        page.waitForResponse((r) => r.request().method() === 'POST' && pathOf(r.url()) === `/networks/${id}/montecarlo`),
        page.click('form#montecarlo-form [type=submit]'),
    ]);
    await page.locator('table#mc-table').waitFor({ state: 'visible', timeout: env.stressTimeout });
    await audit('network-montecarlo');
});

await step('an invalid network is refused, naming the fields', async () => {
    await visit('/uploads');
    await page.setInputFiles('form#network-upload input#network-file', env.invalid);
    const [response] = await Promise.all([
        page.waitForResponse((r) => r.request().method() === 'POST' && pathOf(r.url()) === '/uploads/network'),
        page.click('form#network-upload [type=submit]'),
    ]);
    await page.waitForLoadState('load');
    check(response.status() === 422, `POST /uploads/network with the invalid network answered ${response.status()}, expected 422`);
    const errors = page.locator('#upload-errors');
    await errors.waitFor({ state: 'visible' });
    check((await errors.getAttribute('role')) === 'alert', '#upload-errors has no role=alert');
    const items = (await errors.locator('li').allInnerTexts()).map(normalise);
    const expected = env.expectedValidate.diagnostics;
    check(items.length === expected.length, `#upload-errors lists ${items.length} item(s), lifeline validate ${expected.length}: ${JSON.stringify(items)}`);
    for (const diagnostic of expected) {
        const field = normalise(diagnostic.path);
        const message = normalise(diagnostic.message);
        check(
            items.some((item) => item.includes(field) && item.includes(message)),
            `no item of #upload-errors names \`${field}\` with \`${message}\` as lifeline validate does; the items: ${JSON.stringify(items)}`,
        );
    }
    const fileName = path.basename(env.invalid);
    check(normalise(await errors.innerText()).includes(fileName), `#upload-errors does not name the file ${fileName}`);
    await audit('uploads-errors');
});

await step('traceability and vulnerabilities with data', async () => {
    // EPCIS events: the upload form lands on /trace, where a product's history is listed.
    await visit('/uploads');
    await page.setInputFiles('form#epcis-upload input#epcis-file', env.epcis);
    await Promise.all([
        page.waitForURL((url) => url.pathname === '/trace', { waitUntil: 'load' }),
        page.click('form#epcis-upload [type=submit]'),
    ]);
    await visit(`/trace?epc=${encodeURIComponent(TRACED_EPC)}`);
    const events = await page.locator('table#trace-events tbody tr').count();
    check(events > 0, `/trace lists no event of ${TRACED_EPC} after the EPCIS upload`);
    await audit('trace-history');
    // An SBOM: the upload form lands on /vulnerabilities.
    await visit('/uploads');
    await page.fill('form#sbom-upload input#sbom-name', 'product-abc');
    await page.setInputFiles('form#sbom-upload input#sbom-file', env.sbom);
    await Promise.all([
        page.waitForURL((url) => url.pathname === '/vulnerabilities', { waitUntil: 'load' }),
        page.click('form#sbom-upload [type=submit]'),
    ]);
    await audit('vulnerabilities-sbom');
});

await step('vendor risk: the register ranked against the stress test, and a vendor report', async () => {
    // The register goes up through the API, with the session and its csrf token.
    await visit('/');
    const csrf = await page.locator('form#logout input[name=csrf]').getAttribute('value');
    const response = await page.request.put(`${env.base}/api/v1/vendors`, {
        headers: { 'content-type': 'application/json', 'x-csrf-token': csrf ?? '' },
        data: fs.readFileSync(env.vendors),
    });
    check(response.status() === 201, `PUT /api/v1/vendors: ${response.status()} ${await response.text()}`);
    await visit('/risk');
    const first = page.locator('table#risk-register tbody tr').first();
    const firstText = (await first.textContent()) ?? '';
    check(firstText.includes(FIRST_VENDOR), `table#risk-register ranks first: ${firstText.trim().slice(0, 200)}`);
    check(await page.locator('svg#risk-heatmap').count() === 1, '/risk has no svg#risk-heatmap');
    await audit('risk-register');
    await Promise.all([
        page.waitForURL((url) => url.pathname === `/risk/vendors/${FIRST_VENDOR}`, { waitUntil: 'load' }),
        first.locator('a.vendor').click(),
    ]);
    check((await page.textContent('main'))?.includes('What drives the rating'), 'the vendor page shows no drivers');
    await audit('risk-vendor');
});

await step('incidents: declared with the form, a task moved on the board, the report', async () => {
    const id = needNetwork();
    await visit('/incidents');
    check(await page.locator('form#declare-incident').count() === 1, '/incidents has no form#declare-incident');
    await page.selectOption('form#declare-incident select#declare-network', id);
    await page.fill('form#declare-incident input#declare-title', 'Meridian EDI ransomware');
    await page.selectOption('form#declare-incident select#declare-kind', 'ransomware');
    await page.fill('form#declare-incident input#declare-entities', 'edi-hub');
    await page.fill('form#declare-incident input#declare-expected_ttr', '10');
    await Promise.all([
        page.waitForURL((url) => /^\/incidents\/[^/]+$/.test(url.pathname), { waitUntil: 'load' }),
        page.click('form#declare-incident [type=submit]'),
    ]);
    const incident = pathOf(page.url());
    check(await page.locator('div#task-board section.column').count() === 6, `${incident}: div#task-board has not one column per function`);
    check(await page.locator('#incident-shortages').count() === 1, `${incident} has no #incident-shortages`);
    check(await page.locator('table#incident-timeline tbody tr').count() === 1, `${incident}: the timeline does not hold the declaration alone`);
    await audit('incident');
    const form = page.locator('form.task-status').first();
    if (await form.count() === 1) {
        await form.locator('select').selectOption('in-progress');
        await form.locator('input[name=note]').fill('calling the rep');
        await Promise.all([page.waitForURL((url) => url.pathname === incident, { waitUntil: 'load' }), form.locator('[type=submit]').click()]);
        const rows = await page.locator('table#incident-timeline tbody tr').count();
        check(rows === 2, `${incident}: the timeline has ${rows} entries after a task moved, expected 2`);
        check((await page.textContent('table#incident-timeline')).includes('calling the rep'), 'the note is not on the timeline');
    } else {
        fail(`${incident}: no form.task-status on the board`);
    }
    await Promise.all([
        page.waitForURL((url) => url.pathname === `${incident}/report`, { waitUntil: 'load' }),
        page.click('a#incident-report-link'),
    ]);
    check(await page.locator('article#incident-report').count() === 1, 'the report page has no article#incident-report');
    await audit('incident-report');
    await visit('/incidents');
    check(await page.locator('table#incident-list tbody tr').count() === 1, '/incidents does not list the incident');
    await audit('incidents');
});

await step('every nav page (admin)', async () => {
    await visit('/');
    const links = await navLinks();
    for (const link of links) {
        await visit(link);
        const name = link === '/' ? 'nav-overview' : `nav-${link.replace(/^\//, '').replace(/\W+/g, '-')}`;
        await audit(name);
    }
});

await step('admin logs out', async () => {
    await visit('/');
    await logout();
});

await step('a viewer sees no upload form', async () => {
    await login(env.viewer);
    await visit('/uploads');
    check(await page.locator('form#network-upload').count() === 0, 'the viewer sees form#network-upload on /uploads');
    await audit('viewer-uploads');
    const links = await navLinks();
    for (const link of links) {
        await visit(link);
        check(await page.locator('form#network-upload').count() === 0, `the viewer sees form#network-upload on ${link}`);
    }
    // Hiding the form is not enough: the server refuses a viewer's upload, even one that
    // carries the session's csrf token.
    const csrf = await page.locator('form#logout input[name=csrf]').getAttribute('value');
    check(csrf !== null && csrf.length > 0, 'form#logout carries no csrf value');
    const response = await page.request.post(`${env.base}/uploads/network`, {
        multipart: {
            csrf: csrf ?? '',
            name: 'viewer-upload',
            file: { name: 'iv-fluids.json', mimeType: 'application/json', buffer: fs.readFileSync(env.network) },
        },
        maxRedirects: 0,
    });
    check(response.status() === 403, `a viewer's POST /uploads/network answered ${response.status()}, expected 403`);
    await visit('/networks');
    check(!(await page.content()).includes('viewer-upload'), "the viewer's refused upload is listed on /networks");
    // The viewer reads the same organisation's results.
    if (state.networkId !== null) {
        await visit(`/networks/${state.networkId}/stress`);
        check(await page.locator('table#stress-table').count() === 1, "the viewer does not see the organisation's stress table");
    }
    await logout();
});

await step("another organisation's admin cannot see the network", async () => {
    const id = needNetwork();
    await login(env.other);
    for (const target of [`/networks/${id}/stress`, `/networks/${id}`, `/networks/${id}/entities/${FIRST_ENTITY}`]) {
        const response = await page.goto(`${env.base}${target}`, { waitUntil: 'load' });
        const status = response?.status();
        check(status === 404 || status === 403, `another organisation's GET ${target} answered ${status}, expected 404 or 403`);
    }
    const csv = await page.request.get(`${env.base}/networks/${id}/stress.csv`, { maxRedirects: 0 });
    check(csv.status() === 404 || csv.status() === 403, `another organisation's GET stress.csv answered ${csv.status()}`);
    await visit('/');
    check(!(await page.content()).includes(`/networks/${id}/`), "another organisation's overview links the network");
    await visit('/networks');
    check(!(await page.content()).includes(`/networks/${id}`), "another organisation's /networks links the network");
    await logout();
});

await step('the pages work without JavaScript', async () => {
    const id = needNetwork();
    const plain = await launch({
        executablePath: env.chromium,
        prefix: 'lifeline-chromium-nojs-',
        javaScriptEnabled: false,
    });
    try {
        const tab = plain.pages()[0] ?? (await plain.newPage());
        tab.setDefaultTimeout(15000);
        await tab.goto(`${env.base}/login`);
        await tab.fill('form#login input#user', env.viewer.user);
        await tab.fill('form#login input#password', env.viewer.password);
        await Promise.all([tab.waitForURL((url) => url.pathname !== '/login'), tab.click('form#login [type=submit]')]);
        for (const [target, selector] of [
            ['/', 'table#ranking a.entity'],
            [`/networks/${id}/stress`, 'table#stress-table'],
            [`/networks/${id}/entities/${FIRST_ENTITY}`, 'dd#tts'],
        ]) {
            const response = await tab.goto(`${env.base}${target}`);
            check(response?.status() === 200, `without JavaScript, GET ${target} answered ${response?.status()}`);
            check(await tab.locator(selector).count() > 0, `without JavaScript, ${target} shows no ${selector}`);
        }
    } finally {
        await plain.close();
    }
});

currentStep = '(end)';
fs.writeFileSync(path.join(env.artifacts, 'axe.json'), `${JSON.stringify(audited, null, 2)}\n`);
await context.close();

if (failures.length > 0) {
    console.error(`\n${failures.length} check(s) failed:`);
    for (const failure of failures) {
        console.error(`  - ${failure}`);
    }
    process.exit(1);
}
console.log(`\nall checks passed; ${audited.length} pages audited with axe-core; artefacts in ${env.artifacts}`);
