//! The catalogue service: implements the storefront's [`Storefront`] over the database and the
//! in-memory search index.
//!
//! Owns turning rows into wire types, canonical URLs and the rules of product lookup (current
//! slug, renamed slug -> 301, unknown -> 404). Database failures are logged here and reach the
//! browser only as the opaque `Unavailable`.

pub mod co_purchases;
pub mod listing;
pub mod queries;
pub mod search_index;
pub mod stock;
pub mod suggestions;

use crate::db::Db;
use listing::Candidate;
use queries::{CategoryRow, SummaryRow, stem_of_slug};
use search_index::{IndexedProduct, SearchIndex};
use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use vitrine::catalog::{
    CategoryLink, CategoryListing, Listing, ListingQuery, NavData, ProductSummary, Sort,
};
use vitrine::error::StoreError;
use vitrine::home::{Hero, HomeData};
use vitrine::money::{Currency, Money};
use vitrine::product::{ProductDetail, ProductLookup, VariantInfo};
use vitrine::search::SearchListing;
use vitrine::ssr::Storefront;

/// Most search matches a listing will page through.
const MAX_SEARCH_HITS: usize = 480;
const POPULAR_ON_HOME: i64 = 8;

/// What changes only with the catalogue (an import), read on every page: swapped whole.
#[derive(Default)]
struct Snapshot {
    index: SearchIndex,
    colours: HashMap<String, Vec<String>>,
    /// Non-empty categories in navigation order, with their descriptions.
    categories: Vec<(CategoryLink, String)>,
}

pub struct CatalogService {
    db: Db,
    base_url: String,
    snapshot: RwLock<Arc<Snapshot>>,
    events: crate::events::EventSink,
    /// The published recommendation model, if any (swapped whole by training).
    recs: Arc<crate::recs::RecsHandle>,
    /// Running experiments and shipped slot defaults.
    experiments: Arc<crate::experiments::serving::Experiments>,
    /// "Bought together" counts, for slots without a model.
    co_purchases: Arc<co_purchases::CoPurchaseCache>,
}

impl CatalogService {
    /// Connects the service to `db` and builds the search index; product views go to `events`.
    pub async fn load(
        db: Db,
        base_url: String,
        events: crate::events::EventSink,
        recs: Arc<crate::recs::RecsHandle>,
        experiments: Arc<crate::experiments::serving::Experiments>,
    ) -> anyhow::Result<Self> {
        let service = CatalogService {
            db,
            base_url,
            snapshot: RwLock::new(Arc::default()),
            events,
            recs,
            experiments,
            co_purchases: Arc::default(),
        };
        service.rebuild_index().await?;
        Ok(service)
    }

    /// Running experiments and the slots' shipped defaults.
    pub fn experiments(&self) -> &Arc<crate::experiments::serving::Experiments> {
        &self.experiments
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Rebuilds the search index, the category list and the co-purchase table from the
    /// database (after an import).
    pub async fn rebuild_index(&self) -> anyhow::Result<()> {
        self.co_purchases.rebuild(&self.db).await?;
        let products = queries::all_products(&self.db).await?;
        let mut variant_titles: HashMap<String, Vec<String>> = HashMap::new();
        for (stem, title) in queries::all_variant_titles(&self.db).await? {
            variant_titles.entry(stem).or_default().push(title);
        }
        let indexed: Vec<IndexedProduct> = products
            .into_iter()
            .map(|p| IndexedProduct {
                variant_titles: variant_titles.remove(&p.stem).unwrap_or_default(),
                stem: p.stem,
                title: p.title,
                category: p.category_name,
                description: p.description,
            })
            .collect();
        let index = tokio::task::spawn_blocking(move || SearchIndex::build(&indexed)).await?;
        let colours = queries::colours(&self.db, None).await?;
        let categories = queries::categories(&self.db).await?;
        let categories = categories
            .into_iter()
            .filter(|c| c.product_count > 0)
            .map(link)
            .collect();
        tracing::info!(products = index.len(), "search index built");
        *self.snapshot.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(Snapshot {
            index,
            colours,
            categories,
        });
        Ok(())
    }

    fn snapshot(&self) -> Arc<Snapshot> {
        self.snapshot
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// Categories change only with an import, so every page reads them from memory.
    async fn category_links(&self) -> Result<Vec<(CategoryLink, String)>, StoreError> {
        Ok(self.snapshot().categories.clone())
    }

    /// The navigation's category links.
    fn categories(&self) -> Vec<CategoryLink> {
        self.snapshot()
            .categories
            .iter()
            .map(|(c, _)| c.clone())
            .collect()
    }
}

fn link(c: CategoryRow) -> (CategoryLink, String) {
    (
        CategoryLink {
            slug: c.slug,
            name: c.name,
            product_count: c.product_count,
        },
        c.description,
    )
}

/// Logs an infrastructure failure and hides it from the browser.
fn unavailable(e: anyhow::Error) -> StoreError {
    tracing::error!(error = %format!("{e:#}"), "catalogue request failed");
    StoreError::Unavailable
}

fn money(minor: i64, currency: &str) -> Result<Money, StoreError> {
    let currency = Currency::parse(currency)
        .ok_or_else(|| unavailable(anyhow::anyhow!("unknown currency {currency:?}")))?;
    Ok(Money::new(minor, currency))
}

fn summary(row: SummaryRow) -> Result<ProductSummary, StoreError> {
    Ok(ProductSummary {
        price: money(row.min_price, &row.currency)?,
        price_varies: row.min_price != row.max_price,
        quick_add_sku: (row.variant_count == 1 && row.stock > 0).then_some(row.first_sku),
        stem: row.stem,
        slug: row.slug,
        title: row.title,
        stock: row.stock,
    })
}

fn candidates(
    rows: Vec<SummaryRow>,
    colours: &HashMap<String, Vec<String>>,
    relevance: &HashMap<String, f32>,
) -> Result<Vec<Candidate>, StoreError> {
    rows.into_iter()
        .map(|row| {
            let colours = colours.get(&row.stem).cloned().unwrap_or_default();
            let relevance = relevance.get(&row.stem).copied().unwrap_or_default() as f64;
            let (units_sold, first_seen) = (row.units_sold, row.first_seen);
            Ok(Candidate {
                summary: summary(row)?,
                units_sold,
                first_seen,
                colours,
                relevance,
            })
        })
        .collect()
}

#[async_trait::async_trait]
impl Storefront for CatalogService {
    async fn cart(&self, cart_id: Option<&str>) -> Result<vitrine::cart::CartPageView, StoreError> {
        crate::cart::page_view(&self.db, cart_id)
            .await
            .map_err(unavailable)
    }

    async fn recommendations(
        &self,
        request: &axum::http::request::Parts,
        slot: vitrine::recs::Slot,
        product_slug: Option<&str>,
    ) -> Result<vitrine::recs::RecsView, StoreError> {
        use vitrine::recs::{RecsView, Slot};
        let cart_id = vitrine::ssr::cookie_value(&request.headers, vitrine::cart::CART_COOKIE);
        let in_cart: Vec<String> = crate::cart::view(&self.db, cart_id.as_deref())
            .await
            .map_err(unavailable)?
            .lines
            .into_iter()
            .map(|l| l.stem)
            .collect();
        let exclude: std::collections::HashSet<String> = in_cart.iter().cloned().collect();
        let now = crate::db::now();
        let as_seed = |stem: String, signal| crate::recs::StemEvent {
            stem,
            time: now,
            signal,
        };
        let (title, basis, seeds) = match slot {
            Slot::Product => (
                "Customers also bought",
                "Bought by the same customers as this product.",
                product_slug
                    .and_then(stem_of_slug)
                    .map(|s| as_seed(s, vitrine_recs::Signal::View))
                    .into_iter()
                    .collect(),
            ),
            Slot::Cart => (
                "Complete your cart",
                "Often bought with what is in your cart.",
                in_cart
                    .into_iter()
                    .map(|s| as_seed(s, vitrine_recs::Signal::Cart))
                    .collect(),
            ),
            Slot::Home => {
                let history = match request.extensions.get::<crate::events::Visitor>() {
                    Some(v) if v.profiled => suggestions::history(&self.db, &v.id)
                        .await
                        .map_err(unavailable)?,
                    _ => Vec::new(),
                };
                (
                    "Recommended for you",
                    "Based on what you have looked at and bought here.",
                    history,
                )
            }
        };
        // Experiments: which ranking (the published model or co-purchases) and, on product
        // pages, where the slot sits.
        use crate::experiments::serving::SlotKey;
        let visitor = request.extensions.get::<crate::events::Visitor>();
        let algorithm = self
            .experiments
            .content::<AlgorithmVariant>(SlotKey::RecsAlgorithm, visitor)
            .await;
        let layout = match slot {
            Slot::Product => {
                self.experiments
                    .content::<LayoutVariant>(SlotKey::ProductLayout, visitor)
                    .await
            }
            _ => None,
        };
        let above = layout.as_ref().is_some_and(|l| l.content.recs == "above");
        let co_purchases_only = algorithm
            .as_ref()
            .is_some_and(|a| a.content.algorithm == "co-purchases");
        let (experiment, variant) = layout
            .and_then(|l| l.experiment)
            .or_else(|| algorithm.and_then(|a| a.experiment))
            .unzip();
        let model = self.recs.current().filter(|_| !co_purchases_only);
        let (rows, version) = suggestions::pick(
            &self.db,
            model.as_deref(),
            &self.co_purchases.current(&self.db),
            &seeds,
            &exclude,
            suggestions::SLOT_SIZE,
        )
        .await
        .map_err(unavailable)?;
        Ok(RecsView {
            title: title.to_string(),
            basis: basis.to_string(),
            products: rows.into_iter().map(summary).collect::<Result<_, _>>()?,
            source: version.map_or_else(|| "co-purchases".to_string(), |v| format!("model-{v}")),
            above,
            experiment,
            variant,
        })
    }

    fn product_viewed(&self, request: &axum::http::request::Parts, stem: &str) {
        if let Some(visitor) = request.extensions.get::<crate::events::Visitor>() {
            self.events
                .record(visitor, crate::events::EventKind::View, stem);
        }
    }

    async fn checkout(
        &self,
        cart_id: Option<&str>,
        show_error: bool,
    ) -> Result<vitrine::checkout::CheckoutView, StoreError> {
        crate::orders::checkout_page(&self.db, cart_id, show_error)
            .await
            .map_err(unavailable)
    }

    async fn order(
        &self,
        number: &str,
        key: &str,
    ) -> Result<vitrine::orders::OrderView, StoreError> {
        crate::orders::view(&self.db, number, key)
            .await
            .map_err(unavailable)?
            .ok_or(StoreError::NotFound)
    }

    async fn nav(&self) -> Result<NavData, StoreError> {
        let categories = self.categories();
        Ok(NavData { categories })
    }

    async fn home(&self, request: &axum::http::request::Parts) -> Result<HomeData, StoreError> {
        let categories: Vec<CategoryLink> = self.categories();
        queries::settle_prices(&self.db).await?;
        let popular = queries::popular(&self.db, POPULAR_ON_HOME)
            .await
            .map_err(unavailable)?;
        let popular = popular.into_iter().map(summary).collect::<Result<_, _>>()?;
        let visitor = request.extensions.get::<crate::events::Visitor>();
        let assigned = self
            .experiments
            .content::<Hero>(crate::experiments::serving::SlotKey::HomeHero, visitor)
            .await;
        let hero = match assigned {
            Some(a) => {
                let (experiment, variant) = a.experiment.unzip();
                Hero {
                    experiment,
                    variant,
                    ..a.content
                }
            }
            None => {
                let featured = categories
                    .first()
                    .map(|c| (c.name.clone(), format!("/c/{}", c.slug)));
                let (name, href) =
                    featured.unwrap_or_else(|| ("everything".into(), "/search".into()));
                Hero {
                    headline: "Gifts worth giving".into(),
                    copy: "Thousands of gifts, homeware and seasonal decorations, at prices that are the same for everyone.".into(),
                    cta_label: format!("Shop {name}"),
                    cta_href: href,
                    image: String::new(),
                    image_alt: String::new(),
                    experiment: None,
                    variant: None,
                }
            }
        };
        Ok(HomeData {
            site_ld: vitrine::home::website_ld(&self.url("/"), &self.base_url),
            hero,
            categories,
            popular,
            canonical: self.url("/"),
            base_url: self.base_url.clone(),
        })
    }

    async fn category(
        &self,
        slug: &str,
        query: &ListingQuery,
    ) -> Result<CategoryListing, StoreError> {
        let (category, description) = self
            .category_links()
            .await?
            .into_iter()
            .find(|(c, _)| c.slug == slug)
            .ok_or(StoreError::NotFound)?;
        queries::settle_prices(&self.db).await?;
        let rows = queries::summaries_in_category(&self.db, slug)
            .await
            .map_err(unavailable)?;
        let colours = queries::colours(&self.db, Some(slug))
            .await
            .map_err(unavailable)?;
        let listing = listing::apply(
            candidates(rows, &colours, &HashMap::new())?,
            query,
            Sort::Popular,
        );
        if query.page > listing.pages {
            return Err(StoreError::NotFound);
        }
        let page = if listing.page > 1 {
            format!("?page={}", listing.page)
        } else {
            String::new()
        };
        Ok(CategoryListing {
            canonical: self.url(&format!("/c/{slug}{page}")),
            base_url: self.base_url.clone(),
            category,
            description,
            query: query.clone(),
            listing,
        })
    }

    async fn search(&self, query: &ListingQuery) -> Result<SearchListing, StoreError> {
        let categories: Vec<CategoryLink> = self.categories();
        let snapshot = self.snapshot();
        let hits = snapshot.index.search(&query.text);
        let top: Vec<(String, f32)> = hits.hits.into_iter().take(MAX_SEARCH_HITS).collect();
        let stems: Vec<String> = top.iter().map(|(s, _)| s.clone()).collect();
        let relevance: HashMap<String, f32> = top.into_iter().collect();
        queries::settle_prices(&self.db).await?;
        let rows = queries::summaries_by_stem(&self.db, &stems)
            .await
            .map_err(unavailable)?;
        let listing = if query.text.is_empty() {
            Listing {
                products: vec![],
                total: 0,
                page: 1,
                pages: 1,
                colours: vec![],
            }
        } else {
            listing::apply(
                candidates(rows, &snapshot.colours, &relevance)?,
                query,
                Sort::Relevance,
            )
        };
        Ok(SearchListing {
            canonical: self.url("/search"),
            base_url: self.base_url.clone(),
            query: query.clone(),
            listing,
            corrected: hits.corrected,
            categories,
        })
    }

    async fn product(&self, slug: &str) -> Result<ProductLookup, StoreError> {
        let found = queries::product_by_slug(&self.db, slug)
            .await
            .map_err(unavailable)?;
        let Some(row) = found else {
            if let Some(current) = queries::moved_slug(&self.db, slug)
                .await
                .map_err(unavailable)?
            {
                return Ok(ProductLookup::Moved { slug: current });
            }
            let by_stem = match stem_of_slug(slug) {
                Some(stem) => queries::product_by_stem(&self.db, &stem)
                    .await
                    .map_err(unavailable)?,
                None => None,
            };
            return match by_stem {
                Some(p) => Ok(ProductLookup::Moved { slug: p.slug }),
                None => Err(StoreError::NotFound),
            };
        };
        // One clock reading for the whole page: the price, its reduction, the sale window and
        // the JSON-LD all describe the same moment.
        let now = crate::db::now();
        crate::pricing::current::settle(&self.db, now)
            .await
            .map_err(unavailable)?;
        let variants = queries::variants(&self.db, &row.stem)
            .await
            .map_err(unavailable)?;
        let skus: Vec<String> = variants.iter().map(|v| v.sku.clone()).collect();
        let reductions = crate::pricing::reductions(&self.db, &skus, now)
            .await
            .map_err(unavailable)?;
        let sales = crate::pricing::current::sale_windows(&self.db, &skus, now)
            .await
            .map_err(unavailable)?;
        let multibuys = crate::promotions::multibuys(&self.db, &skus)
            .await
            .map_err(unavailable)?;
        let offer_items =
            queries::offer_items(&self.db, &multibuys, vitrine::product::MULTIBUY_LISTED)
                .await
                .map_err(unavailable)?;
        let variants: Vec<VariantInfo> = variants
            .into_iter()
            .map(|v| {
                let reduction = match reductions.get(&v.sku) {
                    Some(r) => Some(vitrine::product::PriceReduction {
                        was: money(r.prior_minor, &v.currency)?,
                        percent_off: u32::from(r.percent_off),
                    }),
                    None => None,
                };
                let multibuy = match multibuys.iter().find(|m| m.skus.contains(&v.sku)) {
                    Some(m) => {
                        let price = money(m.price_minor, &v.currency)?;
                        Some(queries::multibuy_offer(m, &offer_items, &v.sku, price))
                    }
                    None => None,
                };
                Ok(VariantInfo {
                    sale: sales.get(&v.sku).map(|w| vitrine::product::SaleWindow {
                        starts_at: w.starts_at,
                        ends_at: w.ends_at,
                    }),
                    multibuy,
                    price: money(v.price_minor, &v.currency)?,
                    sku: v.sku,
                    label: v.label,
                    stock: v.stock,
                    reduction,
                    ld: Default::default(),
                })
            })
            .collect::<Result<_, StoreError>>()?;
        if variants.is_empty() {
            return Err(StoreError::NotFound);
        }
        let category = self
            .category_links()
            .await?
            .into_iter()
            .map(|(c, _)| c)
            .find(|c| c.slug == row.category_slug)
            .ok_or_else(|| unavailable(anyhow::anyhow!("product {} has no category", row.stem)))?;
        let reviews = crate::reviews::summary(&self.db, &row.stem)
            .await
            .map_err(unavailable)?;
        Ok(ProductLookup::Found(Box::new(
            ProductDetail {
                image_alt: crate::images::product_image_alt(&row.title, &category.name),
                canonical: self.url(&format!("/p/{}", row.slug)),
                base_url: self.base_url.clone(),
                stem: row.stem,
                slug: row.slug,
                title: row.title,
                description: row.description,
                category,
                variants,
                breadcrumb_ld: Default::default(),
                reviews_html: vitrine::reviews::product_reviews_html(&reviews),
                reviews,
            }
            .with_structured_data(),
        )))
    }
}

/// A `recs_algorithm` experiment variant's content.
#[derive(serde::Deserialize)]
struct AlgorithmVariant {
    /// `model` (the published model, co-purchases without one) or `co-purchases`.
    algorithm: String,
}

/// A `product_layout` experiment variant's content.
#[derive(serde::Deserialize)]
struct LayoutVariant {
    /// `above` or `below` the description.
    recs: String,
}
