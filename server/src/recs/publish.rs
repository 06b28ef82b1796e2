//! Publishing and loading model versions: the model file in the models folder and its row in
//! `model_versions`. The file is written (atomically, by rename) before the row is committed,
//! so every row names a complete file; a restart loads the highest version instead of
//! retraining.
//!
//! File layout: `b"VITRINE-ITEMS-1\n"`, a little-endian u64 length and a JSON object with the
//! product stems and category slugs behind the model's indices, then the engine's own model
//! format (see `vitrine_recs`).

use super::serving::Served;
use crate::db::{self, Db};
use anyhow::Context;
use serde::{Deserialize, Serialize};
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use vitrine_recs::Model;
use vitrine_recs::eval::EvalRow;

const MAGIC: &[u8; 16] = b"VITRINE-ITEMS-1\n";

/// A version that was just published.
#[derive(Clone, Debug)]
pub struct Published {
    pub version: i64,
    pub path: PathBuf,
}

#[derive(Serialize, Deserialize)]
struct Labels {
    stems: Vec<String>,
    categories: Vec<String>,
}

/// `models/` beside a SQLite database file; `data/models` for PostgreSQL or an in-memory
/// database.
pub fn default_models_dir(database_url: &str) -> PathBuf {
    if let Some(rest) = database_url.strip_prefix("sqlite:") {
        let path = rest.trim_start_matches("//");
        let path = path.split('?').next().unwrap_or_default();
        if !path.is_empty() && path != ":memory:" {
            let parent = Path::new(path).parent().unwrap_or(Path::new(""));
            return parent.join("models");
        }
    }
    PathBuf::from("data/models")
}

/// Writes the model file at `path`, a staging name nobody reads ([`publish`] renames it into
/// place once it is complete).
fn write_file(path: &Path, served: &Served) -> anyhow::Result<()> {
    let labels = Labels {
        stems: served.stems().to_vec(),
        categories: served.categories().to_vec(),
    };
    let json = serde_json::to_vec(&labels)?;
    let mut w = BufWriter::new(
        std::fs::File::create(path)
            .with_context(|| format!("Failed to create {}", path.display()))?,
    );
    w.write_all(MAGIC)?;
    w.write_all(&(json.len() as u64).to_le_bytes())?;
    w.write_all(&json)?;
    served.model.write_to(&mut w)?;
    w.flush()?;
    Ok(())
}

/// Reads a model file written by [`publish`].
pub fn read_file(path: &Path, version: Option<i64>) -> anyhow::Result<Served> {
    let mut r = BufReader::new(
        std::fs::File::open(path).with_context(|| format!("Failed to open {}", path.display()))?,
    );
    let mut magic = [0u8; 16];
    r.read_exact(&mut magic)?;
    anyhow::ensure!(
        &magic == MAGIC,
        "{} is not a Vitrine model file",
        path.display()
    );
    let mut len = [0u8; 8];
    r.read_exact(&mut len)?;
    let len = usize::try_from(u64::from_le_bytes(len))?;
    anyhow::ensure!(
        len < 1 << 30,
        "{} has an implausible header",
        path.display()
    );
    let mut json = vec![0u8; len];
    r.read_exact(&mut json)?;
    let labels: Labels = serde_json::from_slice(&json)?;
    let model =
        Model::read_from(r).with_context(|| format!("Failed to read {}", path.display()))?;
    anyhow::ensure!(
        model.n_items() == labels.stems.len(),
        "{}: the model knows {} items but names {}",
        path.display(),
        model.n_items(),
        labels.stems.len()
    );
    Ok(Served::new(version, model, labels.stems, labels.categories))
}

/// Writes `served` into `dir` as the next version, with the evaluation rows that justified it,
/// and returns it stamped with that version, ready for [`super::RecsHandle::swap`].
#[tracing::instrument(skip_all)]
pub async fn publish(
    db: &Db,
    dir: &Path,
    served: Served,
    metrics: &[EvalRow],
) -> anyhow::Result<(Published, Arc<Served>)> {
    std::fs::create_dir_all(dir).with_context(|| format!("Failed to create {}", dir.display()))?;
    let metrics = serde_json::to_string(metrics)?;
    // The file (tens of MB) is written before the store's write turn is taken, so no checkout
    // waits for the disk; inside the transaction it only gets its numbered name.
    let staged = dir.join(format!(
        "recs-staged-{}-{}.model",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default()
    ));
    let file = staged.clone();
    let written = tokio::task::spawn_blocking(move || write_file(&file, &served).map(|()| served))
        .await
        .context("The model writer stopped unexpectedly")?;
    let mut served = match written {
        Ok(served) => served,
        Err(e) => {
            // A half-written staging file is of no use to anyone.
            let _ = std::fs::remove_file(&staged);
            return Err(e);
        }
    };
    let outcome = number_and_record(db, dir, &staged, &mut served, &metrics).await;
    if outcome.is_err() {
        // Not renamed yet (or the rename itself failed): nothing refers to it.
        let _ = std::fs::remove_file(&staged);
    }
    let (version, path) = outcome?;
    tracing::info!(version, path = %path.display(), "published a recommendation model");
    Ok((Published { version, path }, Arc::new(served)))
}

/// Gives the staged file the next version's name and records that version, in one write
/// transaction: `(version, path)`, and `served` stamped with the version.
async fn number_and_record(
    db: &Db,
    dir: &Path,
    staged: &Path,
    served: &mut Served,
    metrics: &str,
) -> anyhow::Result<(i64, PathBuf)> {
    let (mut tx, _turn) = db::begin_write(db).await?;
    db::lock_numbering(&mut tx, "model_versions").await?;
    let (latest,): (i64,) =
        sqlx::query_as("SELECT CAST(COALESCE(MAX(version), 0) AS BIGINT) FROM model_versions")
            .fetch_one(&mut *tx)
            .await
            .context("Failed to read the latest model version")?;
    let version = latest + 1;
    let name = format!("recs-v{version:05}.model");
    let path = dir.join(&name);
    std::fs::rename(staged, &path)
        .with_context(|| format!("Failed to publish {}", path.display()))?;
    served.version = Some(version);
    sqlx::query(
        "INSERT INTO model_versions (version, created_at, algorithm, metrics, path) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(version)
    .bind(db::now())
    .bind(served.model.algorithm().name())
    .bind(metrics)
    .bind(&name)
    .execute(&mut *tx)
    .await
    .context("Failed to record the model version")?;
    tx.commit()
        .await
        .context("Failed to commit the model version")?;
    Ok((version, path))
}

/// The highest published version, read from `dir`; `None` when nothing was published yet.
#[tracing::instrument(skip_all)]
pub async fn load_published(db: &Db, dir: &Path) -> anyhow::Result<Option<Served>> {
    let row: Option<(i64, String)> =
        sqlx::query_as("SELECT version, path FROM model_versions ORDER BY version DESC LIMIT 1")
            .fetch_optional(db)
            .await
            .context("Failed to read the published model versions")?;
    let Some((version, name)) = row else {
        return Ok(None);
    };
    let path = dir.join(name);
    let served = tokio::task::spawn_blocking(move || read_file(&path, Some(version)))
        .await
        .context("The model reader stopped unexpectedly")??;
    Ok(Some(served))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn models_live_beside_a_sqlite_file() {
        assert_eq!(
            default_models_dir("sqlite://data/vitrine.db?mode=rwc"),
            PathBuf::from("data/models")
        );
        assert_eq!(
            default_models_dir("sqlite:///tmp/x/shop.db"),
            PathBuf::from("/tmp/x/models")
        );
        assert_eq!(
            default_models_dir("postgres://127.0.0.1/test"),
            PathBuf::from("data/models")
        );
    }
}
