//! The model file: what `vitrine train` publishes and every server replica loads.
//!
//! Layout (all integers little-endian):
//!
//! ```text
//! b"VRECMDL1"                 magic and format version
//! u64 header length, header    JSON: weighting, item count, popularity lists, engine shape
//! u64 value count, values      f32: EASE weights (row-major), iALS item factors, or for the
//!                              ensemble the EASE weights followed by the iALS factors
//! ```
//!
//! A small hand-written format keeps the dependencies at serde_json; the dense part is raw
//! `f32`, so a reloaded model recommends bit-for-bit what the trained one did.

use crate::data::Weighting;
use crate::ease::Ease;
use crate::ensemble::Ensemble;
use crate::ials::Ials;
use crate::invoices::Propensity;
use crate::model::{Engine, Model};
use crate::params::{IalsParams, RecsError, Result};
use crate::popularity::Popularity;
use ndarray::Array2;
use serde::{Deserialize, Serialize};
use std::io::{Read, Write};
use std::path::Path;

const MAGIC: &[u8; 8] = b"VRECMDL1";
/// Refuse absurd lengths from a damaged file before allocating.
const MAX_HEADER: u64 = 1 << 30;
const MAX_VALUES: u64 = 1 << 34;

#[derive(Serialize, Deserialize)]
struct Header {
    weighting: Weighting,
    n_items: usize,
    popularity: Popularity,
    engine: EngineHeader,
}

#[derive(Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
enum EngineHeader {
    Popularity,
    Ease {
        items: Vec<u32>,
        repeat_weight: f32,
        /// Absent from files written before the re-order habit existed: none.
        #[serde(default)]
        propensity: Propensity,
    },
    Ials {
        params: IalsParams,
        factors: usize,
    },
    Ensemble {
        items: Vec<u32>,
        repeat_weight: f32,
        #[serde(default)]
        propensity: Propensity,
        params: IalsParams,
        factors: usize,
        ials_weight: f32,
    },
}

fn format_error(what: impl Into<String>) -> RecsError {
    RecsError::Format(what.into())
}

impl Model {
    /// Writes the model file.
    pub fn write_to(&self, mut w: impl Write) -> Result<()> {
        let (engine, parts): (EngineHeader, Vec<&Array2<f32>>) = match &self.engine {
            Engine::Popularity => (EngineHeader::Popularity, Vec::new()),
            Engine::Ease(e) => (
                EngineHeader::Ease {
                    items: e.items.clone(),
                    repeat_weight: e.repeat_weight,
                    propensity: e.propensity,
                },
                vec![&e.weights],
            ),
            Engine::Ials(m) => (
                EngineHeader::Ials {
                    params: m.params,
                    factors: m.item_factors.ncols(),
                },
                vec![&m.item_factors],
            ),
            Engine::Ensemble(Ensemble {
                ease,
                ials,
                ials_weight,
            }) => (
                EngineHeader::Ensemble {
                    items: ease.items.clone(),
                    repeat_weight: ease.repeat_weight,
                    propensity: ease.propensity,
                    params: ials.params,
                    factors: ials.item_factors.ncols(),
                    ials_weight: *ials_weight,
                },
                vec![&ease.weights, &ials.item_factors],
            ),
        };
        let values = parts
            .iter()
            .map(|p| {
                p.as_slice()
                    .ok_or_else(|| format_error("values not contiguous"))
            })
            .collect::<Result<Vec<&[f32]>>>()?
            .concat();
        let header = Header {
            weighting: self.weighting,
            n_items: self.n_items,
            popularity: self.popularity.clone(),
            engine,
        };
        let json = serde_json::to_vec(&header).map_err(|e| format_error(e.to_string()))?;
        w.write_all(MAGIC)?;
        w.write_all(&(json.len() as u64).to_le_bytes())?;
        w.write_all(&json)?;
        w.write_all(&(values.len() as u64).to_le_bytes())?;
        let mut bytes = Vec::with_capacity(values.len() * 4);
        for v in values {
            bytes.extend_from_slice(&v.to_le_bytes());
        }
        w.write_all(&bytes)?;
        w.flush()?;
        Ok(())
    }

    /// Reads a model file written by [`Model::write_to`].
    pub fn read_from(mut r: impl Read) -> Result<Model> {
        let mut magic = [0u8; 8];
        r.read_exact(&mut magic)?;
        if &magic != MAGIC {
            return Err(format_error("bad magic bytes"));
        }
        let header_len = read_len(&mut r, MAX_HEADER)?;
        let mut json = vec![0u8; header_len];
        r.read_exact(&mut json)?;
        let header: Header =
            serde_json::from_slice(&json).map_err(|e| format_error(e.to_string()))?;
        let count = read_len(&mut r, MAX_VALUES)?;
        let mut bytes = vec![0u8; count * 4];
        r.read_exact(&mut bytes)?;
        let values: Vec<f32> = bytes
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        let n_items = header.n_items;
        let engine = match header.engine {
            EngineHeader::Popularity => Engine::Popularity,
            EngineHeader::Ease {
                items,
                repeat_weight,
                propensity,
            } => Engine::Ease(ease_from(
                n_items,
                items,
                (repeat_weight, propensity),
                values,
            )?),
            EngineHeader::Ials { params, factors } => {
                Engine::Ials(ials_from(n_items, params, factors, values)?)
            }
            EngineHeader::Ensemble {
                items,
                repeat_weight,
                propensity,
                params,
                factors,
                ials_weight,
            } => {
                let mut weights = values;
                let m = items.len();
                let factors_values = weights.split_off(m.saturating_mul(m).min(weights.len()));
                Engine::Ensemble(Ensemble {
                    ease: ease_from(n_items, items, (repeat_weight, propensity), weights)?,
                    ials: ials_from(n_items, params, factors, factors_values)?,
                    ials_weight,
                })
            }
        };
        Ok(Model {
            weighting: header.weighting,
            n_items,
            popularity: header.popularity,
            engine,
        })
    }

    /// Writes the model to `path` atomically: a temporary file beside it, then a rename, so a
    /// reader never sees half a model.
    pub fn save(&self, path: &Path) -> Result<()> {
        let tmp = path.with_extension("partial");
        {
            let file = std::fs::File::create(&tmp)?;
            self.write_to(std::io::BufWriter::new(file))?;
        }
        std::fs::rename(&tmp, path)?;
        Ok(())
    }

    /// Reads a model file.
    pub fn load(path: &Path) -> Result<Model> {
        let file = std::fs::File::open(path)?;
        Model::read_from(std::io::BufReader::new(file))
    }
}

/// EASE's `items.len()²` weights and its item → slot map, with its repeat weight and habit.
fn ease_from(
    n_items: usize,
    items: Vec<u32>,
    (repeat_weight, propensity): (f32, Propensity),
    values: Vec<f32>,
) -> Result<Ease> {
    let m = items.len();
    let weights =
        Array2::from_shape_vec((m, m), values).map_err(|e| format_error(e.to_string()))?;
    let mut slot = vec![u32::MAX; n_items];
    for (s, &item) in items.iter().enumerate() {
        *slot
            .get_mut(item as usize)
            .ok_or_else(|| format_error("EASE item out of range"))? = s as u32;
    }
    Ok(Ease {
        items,
        slot,
        weights,
        repeat_weight,
        propensity,
    })
}

/// iALS's `n_items × factors` item factors.
fn ials_from(n_items: usize, params: IalsParams, factors: usize, values: Vec<f32>) -> Result<Ials> {
    let y = Array2::from_shape_vec((n_items, factors), values)
        .map_err(|e| format_error(e.to_string()))?;
    Ok(Ials::from_factors(params, y))
}

fn read_len(r: &mut impl Read, max: u64) -> Result<usize> {
    let mut buf = [0u8; 8];
    r.read_exact(&mut buf)?;
    let len = u64::from_le_bytes(buf);
    if len > max {
        return Err(format_error(format!("length {len} is implausible")));
    }
    usize::try_from(len).map_err(|_| format_error("length does not fit in memory"))
}

#[cfg(test)]
mod tests {
    use crate::model::Model;
    use crate::params::{Algorithm, RecsParams};
    use linfa::ParamGuard;

    #[test]
    fn every_kind_of_model_round_trips_exactly() {
        let data = crate::model::tests::toy();
        for algorithm in Algorithm::ALL {
            let model = RecsParams::new(algorithm)
                .check()
                .expect("params")
                .fit(&data)
                .expect("fit");
            let mut bytes = Vec::new();
            model.write_to(&mut bytes).expect("write");
            let back = Model::read_from(bytes.as_slice()).expect("read");
            assert_eq!(back, model, "{algorithm:?}");
        }
    }

    #[test]
    fn damaged_files_are_rejected() {
        assert!(Model::read_from(&b"NOTAMODEL......."[..]).is_err());
        let data = crate::model::tests::toy();
        let model = RecsParams::default()
            .check()
            .expect("params")
            .fit(&data)
            .expect("fit");
        let mut bytes = Vec::new();
        model.write_to(&mut bytes).expect("write");
        bytes.truncate(bytes.len() - 3);
        assert!(Model::read_from(bytes.as_slice()).is_err());
    }
}
