//! A recommendation request answered from memory (DESIGN.md budget: p99 under 1 ms): one
//! visitor's history of 20 purchases, the top 20 over a catalogue the size of the shipped
//! data (2 000 products, 850 customers), with a few exclusions (cart, product on screen).
//!
//! Criterion reports the mean and median; the p50/p99 lines printed first come from timing
//! 20 000 single requests, since criterion does not report tail percentiles.

use criterion::{Criterion, black_box};
use std::time::{Duration, Instant};
use vitrine_recs::{Algorithm, Dataset, Event, Interaction, Model, ParamGuard, RecsParams, Signal};

const ITEMS: u32 = 2_000;
const USERS: u32 = 850;

/// A seeded dataset with skewed popularity and user taste clusters.
fn dataset() -> Dataset {
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut interactions = Vec::new();
    for user in 0..USERS {
        let cluster = user % 20;
        for n in 0..28 {
            let r = next();
            // Half from the user's cluster, half from a popularity-skewed catalogue.
            let item = if n % 2 == 0 {
                cluster * 100 + (r % 100) as u32
            } else {
                let u = (r % 10_000) as f64 / 10_000.0;
                ((u * u * f64::from(ITEMS)) as u32).min(ITEMS - 1)
            };
            interactions.push(Interaction {
                user,
                item,
                time: 1_291_161_600 + (next() % (19 * 86_400)) as i64,
                signal: Signal::Purchase,
            });
        }
    }
    Dataset {
        n_users: USERS as usize,
        n_items: ITEMS as usize,
        interactions,
        item_category: (0..ITEMS).map(|i| i % 12).collect(),
        item_titles: Vec::new(),
    }
}

fn history() -> Vec<Event> {
    (0..20)
        .map(|n| Event {
            item: 300 + n * 7,
            time: 1_292_000_000 + i64::from(n) * 3_600,
            signal: Signal::Purchase,
        })
        .collect()
}

fn request(model: &Model, history: &[Event]) -> usize {
    let cart = [301u32, 314, 999];
    model.recommend(history, 20, |i| cart.contains(&i)).len()
}

fn percentiles(name: &str, model: &Model, history: &[Event]) {
    for _ in 0..500 {
        black_box(request(model, history));
    }
    let mut times: Vec<Duration> = (0..20_000)
        .map(|_| {
            let t = Instant::now();
            black_box(request(model, black_box(history)));
            t.elapsed()
        })
        .collect();
    times.sort();
    let at = |q: f64| times[((times.len() - 1) as f64 * q) as usize];
    println!(
        "{name}: p50 {:?}  p99 {:?}  max {:?}",
        at(0.50),
        at(0.99),
        at(1.0)
    );
}

fn main() {
    let data = dataset();
    let history = history();
    let mut criterion = Criterion::default()
        .configure_from_args()
        .sample_size(200)
        .measurement_time(Duration::from_secs(4));
    for algorithm in Algorithm::ALL {
        let model = RecsParams::new(algorithm)
            .check()
            .and_then(|p| p.fit(&data))
            .expect("the benchmark model fits");
        let name = format!("recommend_{}", algorithm.name());
        percentiles(&name, &model, &history);
        criterion.bench_function(&name, |b| b.iter(|| request(&model, black_box(&history))));
    }
    criterion.final_summary();
}
