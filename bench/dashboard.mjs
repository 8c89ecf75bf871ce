// The dashboard's figures in headless Chromium; run by bench/dashboard.sh, which starts the
// server, uploads the networks and runs their stress jobs. Prints a markdown table on stdout
// and writes BENCH_OUT (JSON); progress on stderr.
//
// - First contentful paint (the browser's own `first-contentful-paint` paint entry) of the
//   overview (/?network=ID) and the stress page (/networks/ID/stress) of the 1,700-node
//   network: one untimed warm-up load, then BENCH_LOADS loads in fresh tabs with the HTTP
//   cache disabled (every load fetches every resource); the median and the slowest.
// - Page weight: the bytes transferred for every resource of the page (HTTP headers and
//   bodies as received, from the DevTools protocol's Network.loadingFinished), cache off.
// - On the 10,000-node network's page (/networks/ID): the time from navigation start until
//   the map is drawn: the map marks itself ready (`data-state="ready"` or `data-ready` on
//   `#supply-map`, as map.js does once cytoscape has rendered), or, for an SVG map, its
//   shapes stay unchanged for 10 frames; then, during scripted pan and zoom (mouse wheel in,
//   drag, wheel out, drag back; twice), the longest gap between requestAnimationFrame callbacks
//   (overall and per phase) and the longest task (Long Tasks API), and whether the map moved
//   at all.
//
// Environment: LIFELINE_BASE_URL, LIFELINE_USER, LIFELINE_PASSWORD, LIFELINE_NETWORK_1700,
// LIFELINE_NETWORK_10K, LIFELINE_CHROMIUM, BENCH_LOADS, BENCH_LABEL, BENCH_OUT.

import fs from 'node:fs';

// Chromium is started as the browser tests start it, from their node project.
const { launch } = await import(new URL('../crates/lifeline-cli/tests/browser/chromium.mjs', import.meta.url));

function required(name) {
    const value = process.env[name];
    if (!value) {
        console.error(`bench/dashboard.mjs: ${name} is not set (run bench/dashboard.sh)`);
        process.exit(2);
    }
    return value;
}

const base = required('LIFELINE_BASE_URL');
const loads = Number(process.env.BENCH_LOADS || 5);
const net1700 = required('LIFELINE_NETWORK_1700');
const net10k = required('LIFELINE_NETWORK_10K');
const log = (...args) => console.error(...args);

const context = await launch({ prefix: 'lifeline-bench-chromium-' });

function median(values) {
    const sorted = [...values].sort((a, b) => a - b);
    const middle = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

async function login() {
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(`${base}/login`);
    await page.fill('form#login input#user', required('LIFELINE_USER'));
    await page.fill('form#login input#password', required('LIFELINE_PASSWORD'));
    await Promise.all([
        page.waitForURL((url) => url.pathname !== '/login'),
        page.click('form#login [type=submit]'),
    ]);
    return page;
}

/** One load of `target` in a fresh tab, cache off: FCP, navigation timings, bytes. */
async function load(target, selector) {
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    let bytes = 0;
    let requests = 0;
    cdp.on('Network.loadingFinished', (event) => {
        bytes += event.encodedDataLength;
        requests += 1;
    });
    const response = await page.goto(`${base}${target}`, { waitUntil: 'load' });
    if (response === null || response.status() !== 200) {
        throw new Error(`GET ${target}: HTTP ${response?.status()}`);
    }
    if ((await page.locator(selector).count()) === 0) {
        throw new Error(`GET ${target}: no ${selector} on the page`);
    }
    const timing = await page.evaluate(
        () =>
            new Promise((resolve) => {
                const done = (fcp) => {
                    const nav = performance.getEntriesByType('navigation')[0];
                    resolve({
                        fcp,
                        ttfb: nav.responseStart,
                        html: nav.responseEnd,
                        domContentLoaded: nav.domContentLoadedEventEnd,
                        load: nav.loadEventEnd,
                        htmlBytes: nav.transferSize,
                        domNodes: document.getElementsByTagName('*').length,
                    });
                };
                const entry = performance.getEntriesByName('first-contentful-paint')[0];
                if (entry) {
                    done(entry.startTime);
                    return;
                }
                new PerformanceObserver((list, observer) => {
                    observer.disconnect();
                    done(list.getEntries()[0].startTime);
                }).observe({ type: 'paint', buffered: true });
                setTimeout(() => done(null), 10000);
            }),
    );
    // Requests still finishing after `load` (none expected) are counted too.
    await page.waitForTimeout(200);
    await page.close();
    return { ...timing, bytes, requests };
}

async function measurePage(name, target, selector) {
    log(`${name}: ${target}, 1 warm-up + ${loads} loads`);
    await load(target, selector);
    const runs = [];
    for (let i = 0; i < loads; i += 1) {
        runs.push(await load(target, selector));
    }
    const fcps = runs.map((run) => run.fcp).filter((fcp) => fcp !== null);
    if (fcps.length !== runs.length) {
        throw new Error(`${target}: no first-contentful-paint entry in ${runs.length - fcps.length} load(s)`);
    }
    const summary = {
        name,
        target,
        fcp_median_ms: median(fcps),
        fcp_max_ms: Math.max(...fcps),
        ttfb_median_ms: median(runs.map((run) => run.ttfb)),
        load_median_ms: median(runs.map((run) => run.load)),
        bytes_median: median(runs.map((run) => run.bytes)),
        html_bytes_median: median(runs.map((run) => run.htmlBytes)),
        requests: runs[0].requests,
        dom_nodes: runs[0].domNodes,
        runs,
    };
    log(`  FCP median ${summary.fcp_median_ms.toFixed(0)} ms, max ${summary.fcp_max_ms.toFixed(0)} ms; ${summary.bytes_median} bytes in ${summary.requests} requests`);
    return summary;
}

/** Installed before any page script: rAF timestamps and the map's state per frame. */
function frameRecorder() {
    const state = { frames: [], longTasks: [], drawnAt: null, signature: null, stableSince: 0 };
    window.__bench = state;
    try {
        new PerformanceObserver((list) => {
            for (const entry of list.getEntries()) {
                state.longTasks.push({ start: entry.startTime, duration: entry.duration });
            }
        }).observe({ type: 'longtask', buffered: true });
    } catch {
        // no Long Tasks API: frame gaps still tell
    }
    // A map drawn on canvases (cytoscape) says when it is drawn: `data-state="ready"` (or
    // `data-ready`). An SVG map is drawn when its shapes stop changing.
    const signature = (map) => {
        if (map.hasAttribute('data-ready') || map.getAttribute('data-state') === 'ready') {
            return 'ready';
        }
        const shapes = map.querySelectorAll('circle, path, line, rect, polygon, polyline, ellipse, use').length;
        return shapes === 0 ? null : `${shapes}`;
    };
    const tick = (time) => {
        state.frames.push(time);
        if (state.drawnAt === null) {
            const map = document.getElementById('supply-map');
            const now = map ? signature(map) : null;
            if (now === 'ready') {
                state.drawnAt = time;
                state.how = 'the map marked itself ready';
            } else if (now !== null && now === state.signature) {
                state.stableFrames += 1;
                if (state.stableFrames >= 10) {
                    state.drawnAt = state.stableSince;
                    state.how = `${now} SVG shapes, unchanged for 10 frames`;
                }
            } else {
                state.signature = now;
                state.stableSince = time;
                state.stableFrames = 0;
            }
        }
        requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
}

async function measureMap(target) {
    log(`map: ${target}`);
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    let bytes = 0;
    let requests = 0;
    cdp.on('Network.loadingFinished', (event) => {
        bytes += event.encodedDataLength;
        requests += 1;
    });
    await page.addInitScript(frameRecorder);
    const response = await page.goto(`${base}${target}`, { waitUntil: 'load' });
    if (response === null || response.status() !== 200) {
        throw new Error(`GET ${target}: HTTP ${response?.status()}`);
    }
    await page.waitForFunction(() => window.__bench.drawnAt !== null, null, { timeout: 120000 });
    const drawn = await page.evaluate(() => {
        const map = document.getElementById('supply-map');
        return {
            at: window.__bench.drawnAt,
            how: window.__bench.how,
            // The map's own figures, from its script's start, where it records them.
            fetchMs: map.dataset.fetchMs ? Number(map.dataset.fetchMs) : null,
            drawMs: map.dataset.drawMs ? Number(map.dataset.drawMs) : null,
        };
    });
    const loaded = { bytes, requests };
    log(`  drawn at ${drawn.at.toFixed(0)} ms (${drawn.how}); map.js: data fetched in ${drawn.fetchMs} ms, drawn in ${drawn.drawMs} ms; ${bytes} bytes in ${requests} requests`);
    const map = page.locator('#supply-map');
    await map.scrollIntoViewIfNeeded();
    const box = await map.boundingBox();
    const before = await map.screenshot();
    const cx = box.x + box.width / 2;
    const cy = box.y + Math.min(box.height, 900 - box.y) / 2;
    const start = await page.evaluate(() => {
        window.__bench.interactionStart = performance.now();
        return window.__bench.frames.length;
    });
    const began = Date.now();
    const phase = (name) => page.evaluate((label) => window.__bench.phases.push([label, performance.now()]), name);
    await page.evaluate(() => {
        window.__bench.phases = [];
    });
    const drag = async (dx, dy) => {
        await page.mouse.move(cx, cy);
        await page.mouse.down();
        for (let i = 1; i <= 20; i += 1) {
            await page.mouse.move(cx + (dx * i) / 20, cy + (dy * i) / 20);
            await page.waitForTimeout(16);
        }
        await page.mouse.up();
    };
    const wheel = async (delta) => {
        await page.mouse.move(cx, cy);
        for (let i = 0; i < 8; i += 1) {
            await page.mouse.wheel(0, delta);
            await page.waitForTimeout(60);
        }
    };
    // Twice: the first round is a user's first touch of the freshly drawn map, the second
    // shows the steady state.
    for (const round of [1, 2]) {
        await phase(`${round}: wheel in`);
        await wheel(-240);
        await phase(`${round}: drag (zoomed in)`);
        await drag(300, 150);
        await phase(`${round}: wheel out`);
        await wheel(240);
        await phase(`${round}: drag (zoomed out)`);
        await drag(-300, -150);
        await phase(`${round}: settle`);
        await page.waitForTimeout(500);
    }
    await phase('end');
    const interactionMs = Date.now() - began;
    const stats = await page.evaluate((first) => {
        const bench = window.__bench;
        const frames = bench.frames.slice(Math.max(first - 1, 0));
        let longest = 0;
        let over50 = 0;
        for (let i = 1; i < frames.length; i += 1) {
            const gap = frames[i] - frames[i - 1];
            longest = Math.max(longest, gap);
            if (gap > 50) {
                over50 += 1;
            }
        }
        const tasks = bench.longTasks.filter((task) => task.start >= bench.interactionStart);
        // The longest frame gap ending in each phase of the interaction.
        const phases = [];
        for (let p = 0; p + 1 < bench.phases.length; p += 1) {
            const [name, from] = bench.phases[p];
            const to = bench.phases[p + 1][1];
            let gap = 0;
            for (let i = 1; i < bench.frames.length; i += 1) {
                if (bench.frames[i] > from && bench.frames[i] <= to) {
                    gap = Math.max(gap, bench.frames[i] - bench.frames[i - 1]);
                }
            }
            phases.push({ phase: name, ms: Math.round(to - from), longest_gap_ms: Math.round(gap) });
        }
        return {
            phases,
            frames: frames.length,
            longest_gap_ms: longest,
            gaps_over_50ms: over50,
            longest_task_ms: tasks.reduce((max, task) => Math.max(max, task.duration), 0),
            long_tasks: tasks.length,
            dom_nodes: document.getElementsByTagName('*').length,
        };
    }, start);
    // Pan and zoom ended where they started in intent, not in pixels: any change shows the
    // map reacted; a map that never moved would make the frame gaps meaningless.
    await drag(120, 0);
    await page.waitForTimeout(300);
    const after = await map.screenshot();
    await page.close();
    const result = {
        target,
        drawn_ms: drawn.at,
        drawn_how: drawn.how,
        map_fetch_ms: drawn.fetchMs,
        map_draw_ms: drawn.drawMs,
        bytes: loaded.bytes,
        requests: loaded.requests,
        interaction_ms: interactionMs,
        moved: !before.equals(after),
        ...stats,
    };
    log(`  phases: ${stats.phases.map((p) => `${p.phase} ${p.ms} ms (longest gap ${p.longest_gap_ms} ms)`).join('; ')}`);
    log(`  pan/zoom: ${stats.frames} frames in ${interactionMs} ms, longest gap ${stats.longest_gap_ms.toFixed(0)} ms, longest task ${stats.longest_task_ms.toFixed(0)} ms, moved ${result.moved}`);
    return result;
}

await login();
const overview = await measurePage('overview, 1.7k', `/?network=${encodeURIComponent(net1700)}`, 'table#ranking');
const stressPage = await measurePage('stress page, 1.7k', `/networks/${encodeURIComponent(net1700)}/stress`, 'table#stress-table');
let mapPage;
try {
    mapPage = await measureMap(`/networks/${encodeURIComponent(net10k)}`);
} catch (error) {
    // Reported in the table rather than hiding the other figures.
    mapPage = { error: error.message.split('\n')[0] };
    log(`  map: ${mapPage.error}`);
}
await context.close();

const version = (await import('node:child_process')).execFileSync(process.env.LIFELINE_CHROMIUM || '/usr/bin/chromium', ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
const report = { label: process.env.BENCH_LABEL ?? '', chromium: version, loads, overview, stress: stressPage, map: mapPage };
if (process.env.BENCH_OUT) {
    fs.writeFileSync(process.env.BENCH_OUT, `${JSON.stringify(report, null, 2)}\n`);
}

const ms = (value) => `${Math.round(value)} ms`;
const kb = (bytes) => `${(bytes / 1000).toFixed(1)} kB`;
console.log(`${report.label}; ${version}, headless, HTTP cache off\n`);
console.log('| page | network | measure | result | target |');
console.log('|---|---|---|---|---|');
console.log(`| overview \`/\` | 1,700 nodes | first contentful paint, median of ${loads} (slowest) | **${ms(overview.fcp_median_ms)}** (${ms(overview.fcp_max_ms)}) | < 1 s |`);
console.log(`| stress \`/networks/{id}/stress\` | 1,700 nodes | first contentful paint, median of ${loads} (slowest) | **${ms(stressPage.fcp_median_ms)}** (${ms(stressPage.fcp_max_ms)}) | < 1 s |`);
console.log(`| overview \`/\` | 1,700 nodes | page weight, transferred (${overview.requests} requests; HTML ${kb(overview.html_bytes_median)}) | **${kb(overview.bytes_median)}** | < 300 kB |`);
console.log(`| stress \`/networks/{id}/stress\` | 1,700 nodes | page weight, transferred (${stressPage.requests} requests) | ${kb(stressPage.bytes_median)} | |`);
if (mapPage.error) {
    console.log(`| network \`/networks/{id}\` | 10,000 nodes | map drawn; pan and zoom | not measured: ${mapPage.error.replace(/\|/g, '\\|')} | |`);
    process.exit(1);
}
console.log(`| network \`/networks/{id}\` | 10,000 nodes | map drawn, from navigation start (${mapPage.drawn_how}) | **${ms(mapPage.drawn_ms)}** | |`);
console.log(`| network \`/networks/{id}\` | 10,000 nodes | page weight with the map's data, transferred (${mapPage.requests} requests) | ${kb(mapPage.bytes)} | |`);
console.log(`| network \`/networks/{id}\` | 10,000 nodes | longest frame gap during pan and zoom (${mapPage.frames} frames in ${ms(mapPage.interaction_ms)}; ${mapPage.gaps_over_50ms} gaps over 50 ms; map moved: ${mapPage.moved ? 'yes' : 'NO'}) | **${ms(mapPage.longest_gap_ms)}** | no freeze |`);
console.log(`| network \`/networks/{id}\` | 10,000 nodes | longest frame gap per phase | ${mapPage.phases.map((p) => `${p.phase}: ${ms(p.longest_gap_ms)}`).join('; ')} | |`);
console.log(`| network \`/networks/{id}\` | 10,000 nodes | longest task during pan and zoom (${mapPage.long_tasks} tasks over 50 ms) | ${ms(mapPage.longest_task_ms)} | |`);
