//! Monte Carlo over blocks of replications: the report is the same bits whatever the
//! chunking of whole blocks, and the same as before the summary became mergeable (the
//! fixtures under `tests/data/montecarlo/` were written by the summary that kept every
//! replication).

use std::path::Path;

use lifeline_network::{Format, Target, ValidatedNetwork, from_str};
use lifeline_sim::{
    BLOCK, Distribution, MonteCarlo, MonteCarloPart, MonteCarloReport, Outage, PartError,
    Simulator, block_count,
};

fn example(name: &str) -> ValidatedNetwork {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples")
        .join(name);
    let text = std::fs::read_to_string(&path).expect("example network");
    match from_str(&text, Format::Json, &path) {
        Ok(loaded) => loaded.network,
        Err(error) => panic!("{name}: {error}"),
    }
}

/// A Monte Carlo case: network file, outage and run.
struct Case {
    name: &'static str,
    network: &'static str,
    outage: Outage,
    run: MonteCarlo,
}

fn distribution(text: &str) -> Distribution {
    text.parse().expect("distribution")
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "distributor-platform",
            network: "distributor-ransomware.json",
            outage: Outage {
                targets: vec![Target::Platform("eorder-medsupply".into())],
                capacity_factor: 0.0,
                start: distribution("uniform:0,10"),
                duration: distribution("ransomware-downtime"),
                independent: false,
                downtime_cost: Some(2.0e5),
            },
            run: MonteCarlo {
                replications: 3000,
                seed: 5,
                days: 120,
                tts: Some(9.0),
            },
        },
        Case {
            name: "iv-fluids-two-sites",
            network: "iv-fluids.json",
            outage: Outage {
                targets: vec![
                    Target::Site("iv-plant-nc".into()),
                    Target::Site("dist-east".into()),
                ],
                capacity_factor: 0.2,
                start: distribution("fixed:0"),
                duration: distribution("ransomware-recovery"),
                independent: true,
                downtime_cost: None,
            },
            run: MonteCarlo {
                replications: 2500,
                seed: 9,
                days: 200,
                tts: None,
            },
        },
        Case {
            name: "blood-one-block",
            network: "blood-supplier.json",
            outage: Outage {
                targets: vec![Target::Node("rbc@rbs-central".into())],
                capacity_factor: 0.0,
                start: distribution("fixed:2"),
                duration: distribution("lognormal:2,0.8"),
                independent: false,
                downtime_cost: Some(1000.0),
            },
            run: MonteCarlo {
                replications: 1024,
                seed: 1,
                days: 90,
                tts: Some(4.0),
            },
        },
        Case {
            name: "toy-few",
            network: "toy.json",
            outage: Outage {
                targets: vec![Target::Node("S1".into())],
                capacity_factor: 0.0,
                start: distribution("fixed:0"),
                duration: distribution("empirical:3@0.5,20@0.5"),
                independent: false,
                downtime_cost: None,
            },
            run: MonteCarlo {
                replications: 7,
                seed: 3,
                days: 60,
                tts: Some(5.0),
            },
        },
    ]
}

fn fixture(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/montecarlo")
        .join(format!("{name}.json"))
}

fn report(case: &Case) -> MonteCarloReport {
    let network = example(case.network);
    Simulator::new(&network).montecarlo(&case.outage, &case.run, &|_| {})
}

/// Writes the fixtures from the code as it is (run once, by hand, with `--ignored`).
#[test]
#[ignore = "writes the fixtures"]
fn write_fixtures() {
    for case in cases() {
        let text = serde_json::to_string_pretty(&report(&case)).expect("json");
        std::fs::write(fixture(case.name), text + "\n").expect("fixture");
    }
}

/// The summary that merges blocks gives the report the summary that kept every
/// replication gave, byte for byte.
#[test]
fn reports_are_unchanged() {
    for case in cases() {
        let text = serde_json::to_string_pretty(&report(&case)).expect("json") + "\n";
        let fixture = std::fs::read_to_string(fixture(case.name)).expect("fixture");
        assert!(text == fixture, "{}: the report changed", case.name);
    }
}

/// Runs `groups` (ranges of blocks) separately on `threads` threads, merges them in the
/// order given, and finishes the run.
fn chunked(case: &Case, groups: &[std::ops::Range<u32>], threads: usize) -> MonteCarloReport {
    let network = example(case.network);
    let simulator = Simulator::new(&network);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("pool");
    let mut parts = groups.iter().map(|blocks| {
        pool.install(|| {
            simulator.montecarlo_blocks(&case.outage, &case.run, blocks.clone(), &|_| {})
        })
        .expect("blocks in range")
    });
    let mut whole = parts.next().expect("a group");
    for part in parts {
        // Parts travel between processes serialised: merge one that made the trip.
        let text = serde_json::to_string(&part).expect("part as json");
        let part: MonteCarloPart = serde_json::from_str(&text).expect("part back");
        whole.merge(part).expect("disjoint parts of one run");
    }
    simulator
        .montecarlo_finish(&case.outage, &case.run, &whole)
        .expect("complete")
}

#[test]
fn any_chunking_of_whole_blocks_gives_the_same_bits() {
    for mut case in cases()
        .into_iter()
        .filter(|case| case.run.replications > BLOCK)
    {
        // Three blocks, the last one short: enough to regroup, quick in a debug build.
        case.run.replications = 2 * BLOCK + 52;
        case.run.days = 60;
        let blocks = block_count(case.run.replications);
        let whole = report(&case);
        let text = serde_json::to_string(&whole).expect("json");
        let groupings: Vec<(Vec<std::ops::Range<u32>>, usize)> = vec![
            ((0..blocks).rev().map(|b| b..b + 1).collect(), 2),
            (vec![1..blocks, 0..1], 3),
            (vec![0..2, 2..blocks], 1),
        ];
        for (groups, threads) in groupings {
            let merged = chunked(&case, &groups, threads);
            assert_eq!(merged, whole, "{}: {groups:?}", case.name);
            assert_eq!(
                serde_json::to_string(&merged).expect("json"),
                text,
                "{}: {groups:?} on {threads} threads",
                case.name
            );
        }
    }
}

#[test]
fn parts_that_do_not_make_a_run_are_refused() {
    let mut case = cases().remove(1);
    case.run.replications = 2 * BLOCK + 1;
    case.run.days = 30;
    let network = example(case.network);
    let simulator = Simulator::new(&network);
    let blocks = block_count(case.run.replications);
    let part = |range: std::ops::Range<u32>| {
        simulator.montecarlo_blocks(&case.outage, &case.run, range, &|_| {})
    };
    assert!(matches!(
        part(0..blocks + 1),
        Err(PartError::OutOfRange { end, .. }) if end == blocks + 1
    ));
    assert!(matches!(part(1..1), Err(PartError::OutOfRange { .. })));

    let mut first = part(0..2).expect("part");
    // A block twice.
    let mut twice = first.clone();
    assert_eq!(
        twice.merge(part(1..blocks).expect("part")),
        Err(PartError::Overlap { block: 1 })
    );
    // A block missing.
    let error = simulator
        .montecarlo_finish(&case.outage, &case.run, &first)
        .expect_err("incomplete");
    assert!(
        error.to_string().contains("cover blocks 0..2, not 0..3"),
        "{error}"
    );
    // Another seed's part.
    let other_seed = MonteCarlo {
        seed: case.run.seed + 1,
        ..case.run.clone()
    };
    let other = simulator
        .montecarlo_blocks(&case.outage, &other_seed, 2..blocks, &|_| {})
        .expect("part");
    assert_eq!(
        first.clone().merge(other),
        Err(PartError::Mismatch { field: "seeds" })
    );
    // Another outage's part.
    let mut other_outage = case.outage.clone();
    other_outage.capacity_factor = 0.5;
    let other = simulator
        .montecarlo_blocks(&other_outage, &case.run, 2..blocks, &|_| {})
        .expect("part");
    assert_eq!(
        first.clone().merge(other),
        Err(PartError::Mismatch { field: "outages" })
    );
    // Another network's part.
    let toy = example("toy.json");
    let elsewhere = Simulator::new(&toy);
    let mut toy_outage = case.outage.clone();
    toy_outage.targets = vec![Target::Node("S1".into())];
    let toy_part = elsewhere
        .montecarlo_blocks(&toy_outage, &case.run, 2..blocks, &|_| {})
        .expect("part");
    assert!(matches!(
        simulator.montecarlo_finish(&toy_outage, &case.run, &toy_part),
        Err(PartError::Mismatch { .. })
    ));
    // The right one completes it; the tts is the finish's alone.
    first.merge(part(2..blocks).expect("part")).expect("merge");
    assert_eq!(first.blocks(), vec![0..blocks]);
    let with_tts = MonteCarlo {
        tts: Some(3.0),
        ..case.run.clone()
    };
    let finished = simulator
        .montecarlo_finish(&case.outage, &with_tts, &first)
        .expect("complete");
    assert_eq!(
        finished,
        simulator.montecarlo(&case.outage, &with_tts, &|_| {})
    );
    assert!(finished.tts.is_some());
}
