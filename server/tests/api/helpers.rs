//! `TestApp`: spawns the store on a free port with its own fresh database, seeded with the
//! first lines of the real data set, and offers helpers to drive it.

use reqwest::redirect::Policy;
use std::path::{Path, PathBuf};
use vitrine_server::config::Config;
use vitrine_server::db::Db;
use vitrine_server::startup::Application;

/// Data lines of the real file used to seed each test store: enough for every category.
pub const SEED_LINES: usize = 3000;

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub db: Db,
    pub database_url: String,
    _dir: std::sync::Arc<tempfile::TempDir>,
    _pg: Option<std::sync::Arc<PgDatabase>>,
}

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The header and the first `n` data lines of the shipped data set, as a file in `dir`.
pub fn seed_slice(dir: &Path, n: usize) -> PathBuf {
    let full = repo_root().join(vitrine_server::config::DEFAULT_SEED_CSV);
    let text = std::fs::read_to_string(&full).expect("the shipped data set is readable");
    let slice: Vec<&str> = text.lines().take(n + 1).collect();
    let path = dir.join("seed.csv");
    std::fs::write(&path, slice.join("\n") + "\n").expect("write seed slice");
    path
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        Self::spawn_with_seed(Some(SEED_LINES)).await
    }

    /// [`Self::spawn`] without the page cache: for tests that change the database directly (as
    /// another process would) and read the page at once, which a cached page shows only after
    /// its lifetime (`page_cache.rs` tests the cache itself).
    pub async fn spawn_uncached() -> TestApp {
        Self::spawn_with(Some(SEED_LINES), |config| {
            config.page_cache = std::time::Duration::ZERO;
        })
        .await
    }

    /// `None` starts with an empty catalogue.
    pub async fn spawn_with_seed(lines: Option<usize>) -> TestApp {
        Self::spawn_with(lines, |_| {}).await
    }

    /// [`Self::spawn_with_seed`], with `adjust` changing the configuration last.
    pub async fn spawn_with(lines: Option<usize>, adjust: impl FnOnce(&mut Config)) -> TestApp {
        // The servers' errors reach the test output (a failing page then says why); set
        // RUST_LOG for more.
        let filter = std::env::var("RUST_LOG").unwrap_or_else(|_| "warn".to_string());
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
            .with_test_writer()
            .try_init();
        let dir = tempfile::tempdir().expect("tempdir");
        let (database_url, pg) = fresh_database(dir.path()).await;
        let mut config = Config::new("127.0.0.1:0".parse().expect("addr"), database_url.clone());
        config.seed_csv = lines.map(|n| seed_slice(dir.path(), n));
        config.site_dir = dir.path().join("no-dist");
        config.models_dir = dir.path().join("models");
        adjust(&mut config);
        let app = Application::build(config)
            .await
            .expect("the application starts");
        let address = app.base_url().to_string();
        let db = app.db.clone();
        let server_address = address.clone();
        tokio::spawn(async move {
            // A test server only stops with its test: say so if it ever stops on its own.
            let outcome = app.run_until_stopped().await;
            eprintln!("test server at {server_address} stopped: {outcome:?}");
        });
        // A request that hangs fails the test with a message instead of hanging the suite.
        let client = reqwest::Client::builder()
            .redirect(Policy::none())
            .timeout(std::time::Duration::from_secs(60))
            .build()
            .expect("client");
        TestApp {
            address,
            client,
            db,
            database_url,
            _dir: std::sync::Arc::new(dir),
            _pg: pg.map(std::sync::Arc::new),
        }
    }

    /// The same store and database, with requests sent to another server at `address` (a
    /// second process on the same database).
    pub fn pointed_at(&self, address: &str) -> TestApp {
        TestApp {
            address: address.to_string(),
            client: self.client.clone(),
            db: self.db.clone(),
            database_url: self.database_url.clone(),
            _dir: self._dir.clone(),
            _pg: self._pg.clone(),
        }
    }

    /// A site folder without a bundle (pages render; there is nothing to hydrate).
    pub fn site_dir(&self) -> PathBuf {
        self._dir.path().join("no-dist")
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.address))
            .send()
            .await
            .expect("request sent")
    }

    /// GET `path`, asserting the status, returning the body without hydration markers.
    pub async fn page(&self, path: &str, status: u16) -> String {
        let res = self.get(path).await;
        let got = res.status().as_u16();
        let body = without_markers(&res.text().await.expect("body"));
        assert_eq!(got, status, "GET {path}: {body}");
        body
    }

    /// The slug of the product that `sku` is a variant of.
    pub async fn slug_of(&self, sku: &str) -> String {
        let (slug,): (String,) = sqlx::query_as(
            "SELECT p.slug FROM variants v JOIN products p ON p.stem = v.stem WHERE v.sku = $1",
        )
        .bind(sku)
        .fetch_one(&self.db)
        .await
        .expect("the variant's product");
        slug
    }

    pub async fn count(&self, table: &str) -> i64 {
        let (n,): (i64,) = sqlx::query_as(&format!("SELECT COUNT(*) FROM {table}"))
            .fetch_one(&self.db)
            .await
            .expect("count");
        n
    }
}

/// The HTML without Leptos' `<!>` hydration markers (empty comments: not content).
pub fn without_markers(html: &str) -> String {
    html.replace("<!>", "")
}

/// Every JSON-LD block in a page, parsed.
pub fn json_ld(html: &str) -> Vec<serde_json::Value> {
    html.split("type=\"application/ld+json\"")
        .skip(1)
        .map(|rest| {
            let body = rest.split_once('>').expect("tag closes").1;
            let json = body.split("</script>").next().expect("closed script");
            serde_json::from_str(json).unwrap_or_else(|e| panic!("JSON-LD must parse: {e}: {json}"))
        })
        .collect()
}

/// The href of `<link rel="canonical">`.
pub fn canonical(html: &str) -> Option<String> {
    let at = html.find("rel=\"canonical\"")?;
    let tag_start = html[..at].rfind('<')?;
    let tag = &html[tag_start..tag_start + html[tag_start..].find('>')?];
    let href = tag.split("href=\"").nth(1)?;
    Some(href.split('"').next()?.to_string())
}

/// A PostgreSQL database made for one test and dropped after it.
pub struct PgDatabase {
    admin_url: String,
    name: String,
}

async fn fresh_database(dir: &Path) -> (String, Option<PgDatabase>) {
    let Ok(admin_url) = std::env::var("VITRINE_TEST_DATABASE_URL") else {
        return (
            format!("sqlite://{}?mode=rwc", dir.join("test.db").display()),
            None,
        );
    };
    sqlx::any::install_default_drivers();
    let name = format!("vitrine_test_{}", random_hex());
    let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&admin_url)
        .await
        .expect("connect to PostgreSQL");
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await
        .expect("create database");
    let base = admin_url
        .rsplit_once('/')
        .map(|(b, _)| b)
        .expect("url has a database");
    (
        format!("{base}/{name}"),
        Some(PgDatabase { admin_url, name }),
    )
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        let (url, name) = (self.admin_url.clone(), self.name.clone());
        // Drop runs inside the test's runtime; a fresh thread with its own runtime may block.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async {
                if let Ok(mut conn) = <sqlx::AnyConnection as sqlx::Connection>::connect(&url).await
                {
                    let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .execute(&mut conn)
                        .await;
                }
            });
        })
        .join();
    }
}

fn random_hex() -> String {
    let mut b = [0u8; 8];
    getrandom::getrandom(&mut b).expect("random");
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// The `value` of the hidden input `name` in `html` (a form's CSRF token, say).
pub fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let at = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no {name} field in {html}"))
        + marker.len();
    html[at..].split('"').next().expect("closed").to_string()
}

/// The `name=value` pair of the cookie `name` set by a response, if it sets one.
pub fn cookie_pair(res: &reqwest::Response, name: &str) -> Option<String> {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with(&format!("{name}=")))
        .map(|c| c.split(';').next().unwrap_or_default().to_string())
}

/// [`cookie_pair`] for a cookie the response must set.
pub fn set_cookie(res: &reqwest::Response, name: &str) -> String {
    cookie_pair(res, name).unwrap_or_else(|| panic!("no {name} cookie"))
}

/// The trimmed text of the element marked `data-testid="testid"` (up to its first child).
pub fn text_of(html: &str, testid: &str) -> Option<String> {
    let at = html.find(&format!("data-testid=\"{testid}\""))?;
    let rest = &html[at..];
    let rest = &rest[rest.find('>')? + 1..];
    let inner = &rest[..rest.find("</")?];
    Some(inner.trim().to_string())
}

/// The `offers` of the page's `Product` JSON-LD.
pub fn product_offers(html: &str) -> serde_json::Value {
    json_ld(html)
        .into_iter()
        .find(|v| v["@type"] == "Product")
        .expect("Product JSON-LD")["offers"]
        .clone()
}
