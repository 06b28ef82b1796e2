//! Importing the real data: all or nothing, and never twice.

use crate::helpers::{TestApp, repo_root, seed_slice};
use vitrine_server::import::ImportOptions;
use vitrine_server::importer::{self, Progress};

const TABLES: [&str; 7] = [
    "categories",
    "products",
    "variants",
    "price_history",
    "customers",
    "orders",
    "order_lines",
];

async fn counts(app: &TestApp) -> Vec<i64> {
    let mut out = Vec::new();
    for t in TABLES {
        out.push(app.count(t).await);
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_malformed_file_is_rejected_with_line_numbers_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let before = counts(&app).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("bad.csv");
    let mut text = String::from(
        "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n",
    );
    text.push_str("900001,99999A,A NEW THING,1,01/12/2010 08:26,2.55,17850,United Kingdom\n");
    text.push_str("900001,99999B,ANOTHER THING,two,01/12/2010 08:26,2.55,17850,United Kingdom\n");
    text.push_str("900002,99998,THIRD THING,1,32/13/2010 08:26,1.00,,United Kingdom\n");
    std::fs::write(&path, text).expect("write");
    let err = importer::import_file(&app.db, &path, &ImportOptions::default(), Progress::Hidden)
        .await
        .expect_err("rejected");
    let message = format!("{err:#}");
    assert!(
        message.contains("line 3") && message.contains("line 4"),
        "{message}"
    );
    assert_eq!(counts(&app).await, before, "nothing was written");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_cli_reports_a_rejected_file_and_exits_non_zero() {
    let app = TestApp::spawn_with_seed(None).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("wrong.csv");
    std::fs::write(&path, "Invoice,Code\n1,2\n").expect("write");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_vitrine"))
        .args([
            "import",
            path.to_str().expect("utf-8 path"),
            "--database-url",
            &app.database_url,
        ])
        .output()
        .expect("run vitrine import");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("StockCode"),
        "names the missing column: {stderr}"
    );
    assert_eq!(app.count("products").await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn importing_twice_duplicates_nothing() {
    let app = TestApp::spawn().await;
    let before = counts(&app).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let path = seed_slice(dir.path(), crate::helpers::SEED_LINES);
    let summary =
        importer::import_file(&app.db, &path, &ImportOptions::default(), Progress::Hidden)
            .await
            .expect("import");
    assert_eq!((summary.new_products, summary.new_orders), (0, 0));
    assert_eq!(counts(&app).await, before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_whole_shipped_file_imports() {
    let app = TestApp::spawn_with_seed(None).await;
    let path = repo_root().join(vitrine_server::config::DEFAULT_SEED_CSV);
    let summary =
        importer::import_file(&app.db, &path, &ImportOptions::default(), Progress::Hidden)
            .await
            .expect("import");
    assert!(summary.report.malformed.is_empty());
    assert_eq!(summary.products as i64, app.count("products").await);
    assert!(summary.products > 2000, "{summary}");
    assert!(app.count("orders").await > 1000);
    let (orphans,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM products p WHERE NOT EXISTS (SELECT 1 FROM variants v WHERE v.stem = p.stem)")
        .fetch_one(&app.db)
        .await
        .expect("count");
    assert_eq!(orphans, 0, "every product has a variant");
    let skipped: Vec<(String,)> = sqlx::query_as(
        "SELECT sku FROM variants WHERE sku IN ('POST', 'DOT', 'M', 'BANK CHARGES', 'AMAZONFEE')",
    )
    .fetch_all(&app.db)
    .await
    .expect("query");
    assert!(skipped.is_empty(), "non-product codes are not products");
}
