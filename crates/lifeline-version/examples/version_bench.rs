//! Benchmark for lifeline-version (run in release; figures go to BENCHMARKS.md).
//!
//! `version_bench match [ADVISORIES] [COMPONENTS] [PER_COMPONENT]` builds
//! `CompiledRanges` for ADVISORIES synthetic advisories (default 100,000; one or
//! two ranges each, OSV shapes, across npm, PyPI, Maven, Debian and Alpine), parses
//! COMPONENTS component versions (default 10,000) and evaluates every component
//! against PER_COMPONENT advisories of its ecosystem (default 10), printing the
//! time of each step.
//!
//! `version_bench sort ECOSYSTEM FILE` parses the versions in FILE (one a line)
//! and sorts them, printing the parse and sort times: `tools/version_bench.py`
//! uses it to compare with `packaging` and node `semver` on the same input.

use std::time::{Duration, Instant};

use lifeline_version::{CompiledRanges, Ecosystem, Event, Range, RangeKind, Verdict, Version};

/// A phase timer: wall-clock time and, on Linux, the CPU time of this thread
/// (from `/proc/thread-self/schedstat`), which a busy shared machine disturbs less.
struct Timer {
    wall: Instant,
    cpu: Option<u64>,
}

fn cpu_ns() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    text.split_whitespace().next()?.parse().ok()
}

impl Timer {
    fn start() -> Timer {
        Timer {
            wall: Instant::now(),
            cpu: cpu_ns(),
        }
    }

    /// `(wall, cpu)`; cpu is the wall time where the kernel does not report it.
    fn stop(&self) -> (Duration, Duration) {
        let wall = self.wall.elapsed();
        let cpu = match (self.cpu, cpu_ns()) {
            (Some(a), Some(b)) => Duration::from_nanos(b.saturating_sub(a)),
            _ => wall,
        };
        (wall, cpu)
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// A small deterministic generator (SplitMix64), so the benchmark needs no crate.
struct Mix(u64);

impl Mix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const ECOSYSTEMS: [Ecosystem; 5] = [
    Ecosystem::Npm,
    Ecosystem::PyPi,
    Ecosystem::Maven,
    Ecosystem::Debian,
    Ecosystem::Alpine,
];

/// A realistic version of the ecosystem.
fn version(ecosystem: Ecosystem, mix: &mut Mix) -> String {
    let (a, b, c) = (mix.below(5), mix.below(30), mix.below(20));
    let pre = mix.below(6) == 0;
    match ecosystem {
        Ecosystem::PyPi if pre => format!("{a}.{b}.{c}rc{}", mix.below(3)),
        Ecosystem::Maven if pre => format!("{a}.{b}.{c}-SNAPSHOT"),
        Ecosystem::Maven if mix.below(4) == 0 => format!("{a}.{b}.{c}.Final"),
        Ecosystem::Debian => format!("{a}.{b}.{c}-{}+deb12u{}", mix.below(3) + 1, mix.below(3)),
        Ecosystem::Alpine => format!("{a}.{b}.{c}-r{}", mix.below(5)),
        _ if pre => format!("{a}.{b}.{c}-beta.{}", mix.below(3)),
        _ => format!("{a}.{b}.{c}"),
    }
}

fn advisory(ecosystem: Ecosystem, mix: &mut Mix) -> (Vec<Range>, Vec<String>) {
    let mut ranges = Vec::new();
    let count = 1 + mix.below(2);
    for _ in 0..count {
        let introduced = if mix.below(2) == 0 {
            "0".to_owned()
        } else {
            version(ecosystem, mix)
        };
        let end = if mix.below(5) == 0 {
            Event::LastAffected(version(ecosystem, mix))
        } else {
            Event::Fixed(version(ecosystem, mix))
        };
        ranges.push(Range {
            kind: RangeKind::Ecosystem,
            events: vec![Event::Introduced(introduced), end],
        });
    }
    let versions = (0..mix.below(4)).map(|_| version(ecosystem, mix)).collect();
    (ranges, versions)
}

fn arg(args: &[String], index: usize, default: usize) -> usize {
    args.get(index)
        .and_then(|a| a.parse().ok())
        .unwrap_or(default)
}

fn bench_match(args: &[String]) {
    let advisories = arg(args, 2, 100_000);
    let components = arg(args, 3, 10_000);
    let per_component = arg(args, 4, 10);
    let mut mix = Mix(0x5EED);
    let inputs: Vec<(Ecosystem, Vec<Range>, Vec<String>)> = (0..advisories)
        .map(|i| {
            let ecosystem = ECOSYSTEMS[i % ECOSYSTEMS.len()];
            let (ranges, versions) = advisory(ecosystem, &mut mix);
            (ecosystem, ranges, versions)
        })
        .collect();
    let timer = Timer::start();
    let compiled: Vec<CompiledRanges> = inputs
        .iter()
        .map(|(ecosystem, ranges, versions)| CompiledRanges::new(*ecosystem, ranges, versions))
        .collect();
    let compile = timer.stop();
    let texts: Vec<(usize, String)> = (0..components)
        .map(|i| {
            let slot = i % ECOSYSTEMS.len();
            (slot, version(ECOSYSTEMS[slot], &mut mix))
        })
        .collect();
    let timer = Timer::start();
    let parsed: Vec<(usize, Version)> = texts
        .iter()
        .filter_map(|(slot, text)| ECOSYSTEMS[*slot].parse(text).ok().map(|v| (*slot, v)))
        .collect();
    let parse = timer.stop();
    let timer = Timer::start();
    let (mut affected, mut evaluations) = (0usize, 0usize);
    for (i, (slot, version)) in parsed.iter().enumerate() {
        for k in 0..per_component {
            // Advisory indices of the same ecosystem: slot, slot + 5, slot + 10, ...
            let index = (slot
                + ECOSYSTEMS.len() * ((i * 7 + k * 13) % (advisories / ECOSYSTEMS.len())))
                % advisories;
            if compiled[index].evaluate(version) == Verdict::Affected {
                affected += 1;
            }
            evaluations += 1;
        }
    }
    let evaluate = timer.stop();
    println!(
        "compile {advisories} advisories: {:.1} ms CPU ({:.1} ms wall)",
        ms(compile.1),
        ms(compile.0)
    );
    println!(
        "parse {} component versions: {:.2} ms CPU ({:.2} ms wall)",
        parsed.len(),
        ms(parse.1),
        ms(parse.0)
    );
    println!(
        "evaluate {evaluations} (component, advisory) pairs: {:.2} ms CPU ({:.2} ms wall), {:.0} ns CPU each, {affected} affected",
        ms(evaluate.1),
        ms(evaluate.0),
        evaluate.1.as_secs_f64() * 1e9 / evaluations.max(1) as f64
    );
}

fn bench_sort(args: &[String]) {
    let (Some(name), Some(file)) = (args.get(2), args.get(3)) else {
        eprintln!("usage: version_bench sort ECOSYSTEM FILE");
        std::process::exit(2);
    };
    let Some(ecosystem) = Ecosystem::from_osv(name) else {
        eprintln!("unknown ecosystem {name}");
        std::process::exit(2);
    };
    let text = match std::fs::read_to_string(file) {
        Ok(text) => text,
        Err(error) => {
            eprintln!("cannot read {file}: {error}");
            std::process::exit(2);
        }
    };
    let timer = Timer::start();
    let mut versions: Vec<Version> = text
        .lines()
        .filter_map(|l| ecosystem.parse(l).ok())
        .collect();
    let parse = timer.stop();
    let timer = Timer::start();
    versions.sort();
    let sort = timer.stop();
    println!(
        "{} {} versions: parse {:.2} ms, sort {:.2} ms (CPU time; wall {:.2} ms, {:.2} ms)",
        ecosystem,
        versions.len(),
        ms(parse.1),
        ms(sort.1),
        ms(parse.0),
        ms(sort.0)
    );
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("sort") => bench_sort(&args),
        _ => bench_match(&args),
    }
}
