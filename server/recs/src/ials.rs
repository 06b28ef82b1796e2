//! iALS: implicit-feedback matrix factorisation by alternating least squares (Hu, Koren,
//! Volinsky 2008, "Collaborative Filtering for Implicit Feedback Datasets"), with the tuning
//! advice of Rendle, Krichene, Zhang, Koren 2021 ("Revisiting the Performance of iALS on
//! Item Recommendation Benchmarks"). The loss, with ŷ = xᵤ·yᵢ and S the observed pairs:
//!
//! ```text
//! L = Σ_(u,i)∈S cᵤᵢ (1 − ŷ)²  +  α₀ Σ_(u,i)∉S ŷ²  +  Σᵤ λᵤ‖xᵤ‖²  +  Σᵢ λᵢ‖yᵢ‖²
//! cᵤᵢ = 1 + alpha × value,    λᵤ = reg × (|Sᵤ| + α₀ × items) ^ reg_exponent   (λᵢ alike)
//! ```
//!
//! α₀ = 1, reg_exponent = 0 is Hu et al.'s model; Rendle et al. recommend a small α₀ (the
//! unobserved weight), frequency-scaled regularisation (exponent 1), many factors and an
//! initialisation with standard deviation 0.1/√factors. Each half-step minimises over every
//! row's system `(α₀ YᵀY + Σᵢ∈Sᵤ (cᵤᵢ − α₀) yᵢyᵢᵀ + λᵤI) xᵤ = Σᵢ∈Sᵤ cᵤᵢ yᵢ` (symmetric
//! positive definite): exactly with linfa-linalg's Cholesky solver when `cg_steps` is 0,
//! otherwise by that many conjugate-gradient steps from the row's previous value. Either way
//! the loss can only go down. Serving folds a visitor in with the exact solve against the
//! stored item factors.

use crate::params::{IalsParams, Result};
use linfa_linalg::cholesky::SolveCInplace;
use ndarray::{Array1, Array2, ArrayView2, Axis};

/// A fitted iALS model: item factors and what a fold-in needs.
#[derive(Clone, Debug, PartialEq)]
pub struct Ials {
    pub(crate) params: IalsParams,
    /// items × factors.
    pub(crate) item_factors: Array2<f32>,
    /// `YᵀY` of the stored factors, computed after loading too.
    pub(crate) gram: Array2<f64>,
}

/// Rows of one side of the matrix: `(other side index, confidence c)`.
type Rows = [Vec<(u32, f64)>];

fn transpose(rows: &Rows, n_cols: usize) -> Vec<Vec<(u32, f64)>> {
    let mut cols = vec![Vec::new(); n_cols];
    for (r, row) in rows.iter().enumerate() {
        for &(c, v) in row {
            cols[c as usize].push((r as u32, v));
        }
    }
    cols
}

fn penalty(p: &IalsParams, observed: usize, other_side: usize) -> f64 {
    p.reg * (observed as f64 + p.unobserved_weight * other_side as f64).powf(p.reg_exponent)
}

/// One row's system against the fixed side: `A x = b` with
/// `A = α₀ G + Σⱼ (cⱼ − α₀) yⱼyⱼᵀ + λI` and `b = Σⱼ cⱼ yⱼ`, where `G` is the fixed side's Gram
/// matrix and `j` runs over the row's observed `(index, confidence)` pairs.
struct RowSystem<'a> {
    p: &'a IalsParams,
    fixed: ArrayView2<'a, f64>,
    gram: &'a Array2<f64>,
    row: &'a [(u32, f64)],
    lambda: f64,
}

impl RowSystem<'_> {
    /// The exact answer, by linfa-linalg's Cholesky solver.
    fn solve(&self) -> Result<Array1<f64>> {
        let k = self.fixed.ncols();
        if self.row.is_empty() {
            return Ok(Array1::zeros(k));
        }
        let mut a = self.gram * self.p.unobserved_weight;
        let mut b = Array2::<f64>::zeros((k, 1));
        for &(j, c) in self.row {
            let y = self.fixed.row(j as usize);
            let w = c - self.p.unobserved_weight;
            for r in 0..k {
                let wy = w * y[r];
                a.row_mut(r).scaled_add(wy, &y);
                b[(r, 0)] += c * y[r];
            }
        }
        a.diag_mut().mapv_inplace(|v| v + self.lambda);
        a.solvec_inplace(&mut b)?;
        Ok(b.index_axis_move(Axis(1), 0))
    }

    /// `A v` without forming `A`: `α₀ G v + Σⱼ (cⱼ − α₀)(yⱼ·v) yⱼ + λ v`.
    fn apply(&self, v: &Array1<f64>) -> Array1<f64> {
        let mut out = self.gram.dot(v) * self.p.unobserved_weight;
        out.scaled_add(self.lambda, v);
        for &(j, c) in self.row {
            let y = self.fixed.row(j as usize);
            out.scaled_add((c - self.p.unobserved_weight) * y.dot(v), &y);
        }
        out
    }

    /// Moves `x` towards [`Self::solve`]'s answer by `cg_steps` conjugate-gradient steps
    /// (Takács, Pilászy, Tikk 2011), starting from its current value. Each step lowers the
    /// row's quadratic loss, so the fit's loss still falls every iteration, at O(k² + |S|k) per
    /// step instead of the O(k³) of a factorisation.
    fn improve(&self, mut x: ndarray::ArrayViewMut1<f64>) {
        if self.row.is_empty() {
            x.fill(0.0);
            return;
        }
        let mut r = self.apply(&x.to_owned()) * -1.0;
        for &(j, c) in self.row {
            r.scaled_add(c, &self.fixed.row(j as usize));
        }
        let mut d = r.clone();
        let mut rr = r.dot(&r);
        for _ in 0..self.p.cg_steps {
            if rr <= f64::MIN_POSITIVE {
                break;
            }
            let ad = self.apply(&d);
            let step = rr / d.dot(&ad);
            x.scaled_add(step, &d);
            r.scaled_add(-step, &ad);
            let next = r.dot(&r);
            d = &r + &(d * (next / rr));
            rr = next;
        }
    }
}

fn solve_side(
    p: &IalsParams,
    fixed: &Array2<f64>,
    rows: &Rows,
    out: &mut Array2<f64>,
) -> Result<()> {
    let gram = fixed.t().dot(fixed);
    let other = fixed.nrows();
    for (r, row) in rows.iter().enumerate() {
        let system = RowSystem {
            p,
            fixed: fixed.view(),
            gram: &gram,
            row,
            lambda: penalty(p, row.len(), other),
        };
        if p.cg_steps == 0 {
            out.row_mut(r).assign(&system.solve()?);
        } else {
            system.improve(out.row_mut(r));
        }
    }
    Ok(())
}

/// The loss above for factors `x` (users) and `y` (items).
pub(crate) fn loss(
    p: &IalsParams,
    rows: &Rows,
    cols: &Rows,
    x: &Array2<f64>,
    y: &Array2<f64>,
) -> f64 {
    let gx = x.t().dot(x);
    let gy = y.t().dot(y);
    let mut total = p.unobserved_weight * (&gx * &gy).sum();
    for (u, row) in rows.iter().enumerate() {
        for &(i, c) in row {
            let yhat = x.row(u).dot(&y.row(i as usize));
            total += c * (1.0 - yhat).powi(2) - p.unobserved_weight * yhat * yhat;
        }
    }
    for (u, row) in rows.iter().enumerate() {
        total += penalty(p, row.len(), y.nrows()) * x.row(u).dot(&x.row(u));
    }
    for (i, col) in cols.iter().enumerate() {
        total += penalty(p, col.len(), x.nrows()) * y.row(i).dot(&y.row(i));
    }
    total
}

/// splitmix64 and Box-Muller: a seeded normal generator without a dependency.
struct Normal(u64);

impl Normal {
    fn next_unit(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        // 53 random bits in (0, 1].
        ((z >> 11) as f64 + 1.0) / (1u64 << 53) as f64
    }

    fn sample(&mut self) -> f64 {
        let (u1, u2) = (self.next_unit(), self.next_unit());
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }
}

impl Ials {
    /// Fits on confidence-free `(item, value)` rows, one per user; `on_iteration` sees the
    /// loss after each full iteration.
    pub fn fit(
        rows: &[Vec<(u32, f64)>],
        n_items: usize,
        params: &IalsParams,
        seed: u64,
        mut on_iteration: impl FnMut(usize, f64),
    ) -> Result<Ials> {
        let conf = |row: &Vec<(u32, f64)>| -> Vec<(u32, f64)> {
            row.iter()
                .map(|&(i, v)| (i, 1.0 + params.alpha * v))
                .collect()
        };
        let user_rows: Vec<Vec<(u32, f64)>> = rows.iter().map(conf).collect();
        let item_rows = transpose(&user_rows, n_items);
        let k = params.factors;
        let mut rng = Normal(seed);
        let std = 0.1 / (k as f64).sqrt();
        let mut y = Array2::from_shape_simple_fn((n_items, k), || rng.sample() * std);
        let mut x = Array2::<f64>::zeros((user_rows.len(), k));
        for it in 0..params.iterations {
            solve_side(params, &y, &user_rows, &mut x)?;
            solve_side(params, &x, &item_rows, &mut y)?;
            on_iteration(it, loss(params, &user_rows, &item_rows, &x, &y));
        }
        Ok(Ials::from_factors(*params, y.mapv(|v| v as f32)))
    }

    pub(crate) fn from_factors(params: IalsParams, item_factors: Array2<f32>) -> Ials {
        let y = item_factors.mapv(f64::from);
        let gram = y.t().dot(&y);
        Ials {
            params,
            item_factors,
            gram,
        }
    }

    /// A score per item for a visitor's `(item, value)` profile, folded in by one exact solve.
    pub fn scores(&self, profile: &[(u32, f64)]) -> Result<Vec<f32>> {
        let n_items = self.item_factors.nrows();
        let row: Vec<(u32, f64)> = profile
            .iter()
            .filter(|&&(i, _)| (i as usize) < n_items)
            .map(|&(i, v)| (i, 1.0 + self.params.alpha * v))
            .collect();
        // Only the visitor's own items enter the system: copy just those rows to f64.
        let mut own = Array2::<f64>::zeros((row.len(), self.item_factors.ncols()));
        for (r, &(item, _)) in row.iter().enumerate() {
            own.row_mut(r)
                .assign(&self.item_factors.row(item as usize).mapv(f64::from));
        }
        let local: Vec<(u32, f64)> = row
            .iter()
            .enumerate()
            .map(|(r, &(_, c))| (r as u32, c))
            .collect();
        let x = RowSystem {
            p: &self.params,
            fixed: own.view(),
            gram: &self.gram,
            row: &local,
            lambda: penalty(&self.params, row.len(), n_items),
        }
        .solve()?;
        Ok(self.item_factors.dot(&x.mapv(|v| v as f32)).to_vec())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params() -> IalsParams {
        IalsParams {
            factors: 4,
            reg: 0.05,
            reg_exponent: 1.0,
            alpha: 2.0,
            unobserved_weight: 0.2,
            iterations: 8,
            cg_steps: 0,
        }
    }

    fn blocks() -> Vec<Vec<(u32, f64)>> {
        // Two groups of users buying from two groups of items, with a little noise.
        (0..30u32)
            .map(|u| {
                let base = if u % 2 == 0 { 0 } else { 6 };
                let mut row: Vec<(u32, f64)> = (0..4).map(|j| (base + (u + j) % 6, 1.0)).collect();
                row.push(((u * 5) % 12, 0.5));
                row.sort_by_key(|p| p.0);
                row.dedup_by_key(|p| p.0);
                row
            })
            .collect()
    }

    /// Exact row solves and conjugate-gradient steps alike can only lower the loss.
    #[test]
    fn the_loss_decreases_every_iteration() {
        for cg_steps in [0, 1, 3] {
            let p = IalsParams {
                cg_steps,
                ..params()
            };
            let mut losses = Vec::new();
            Ials::fit(&blocks(), 12, &p, 7, |_, l| losses.push(l)).expect("fit");
            assert_eq!(losses.len(), 8);
            for w in losses.windows(2) {
                assert!(
                    w[1] <= w[0] + 1e-9,
                    "{cg_steps} steps: loss went up: {losses:?}"
                );
            }
            assert!(losses[7] < losses[0], "{cg_steps} steps: {losses:?}");
        }
    }

    /// Enough conjugate-gradient steps reach the exact solve (CG is exact in k steps).
    #[test]
    fn many_cg_steps_converge_to_the_exact_solve() {
        let exact = Ials::fit(&blocks(), 12, &params(), 7, |_, _| {}).expect("fit");
        let p = IalsParams {
            cg_steps: 40,
            ..params()
        };
        let cg = Ials::fit(&blocks(), 12, &p, 7, |_, _| {}).expect("fit");
        let gap = (&exact.item_factors - &cg.item_factors)
            .iter()
            .fold(0.0f32, |m, v| m.max(v.abs()));
        assert!(gap < 1e-4, "largest difference {gap}");
    }

    #[test]
    fn a_folded_in_user_prefers_their_own_group() {
        let model = Ials::fit(&blocks(), 12, &params(), 7, |_, _| {}).expect("fit");
        let s = model.scores(&[(0, 1.0), (1, 1.0)]).expect("scores");
        let group_a: f32 = s[..6].iter().sum();
        let group_b: f32 = s[6..].iter().sum();
        assert!(group_a > group_b, "{s:?}");
    }
}
