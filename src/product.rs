//! The product page: image, variant picker, price and stock, description, add-to-cart form,
//! breadcrumbs and the JSON-LD `Product` with one `Offer`.
//!
//! The selected variant lives in the URL (`?variant=SKU`): a plain link without JavaScript, a
//! client-side navigation after hydration that updates price and stock without a reload.

use crate::catalog::{CategoryLink, StockLevel};
use crate::codec::{PageResource, page_resource};
use crate::error::StoreError;
use crate::layout::{Breadcrumbs, ErrorPage, Loading};
use crate::money::Money;
use crate::recs::{Recommendations, RecsView, Slot, recs_resource};
use crate::seo::{JsonLd, LdJson, PageHead, breadcrumb_list};
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VariantInfo {
    pub sku: String,
    pub label: String,
    pub price: Money,
    pub stock: i64,
    /// Set only when the price may be announced as reduced (the server applies the 30-day
    /// prior-price rule, EU Directive 98/6/EC Art. 6a).
    #[serde(default)]
    pub reduction: Option<PriceReduction>,
    /// The flash sale this price belongs to, while it runs (the server's clock decides).
    #[serde(default)]
    pub sale: Option<SaleWindow>,
    /// "`quantity` for `price`" on this variant.
    #[serde(default)]
    pub multibuy: Option<MultiBuyOffer>,
    /// This variant's schema.org `Product`, filled in by the server
    /// ([`ProductDetail::with_structured_data`]).
    #[serde(default)]
    pub ld: LdJson,
}

/// A flash sale's window, unix seconds; it ends exactly at `ends_at`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SaleWindow {
    pub starts_at: i64,
    pub ends_at: i64,
}

/// A multi-buy offer as the product page states it: "`quantity` for `price`", mixing this
/// variant with `others` (empty for an offer on this variant alone).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MultiBuyOffer {
    pub quantity: i64,
    pub price: Money,
    /// The other items the offer mixes, the first [`MULTIBUY_LISTED`] of them.
    #[serde(default)]
    pub others: Vec<OfferItem>,
    /// How many more it mixes than `others` lists.
    #[serde(default)]
    pub more: usize,
}

/// How many of a multi-buy's other items the product page links.
pub const MULTIBUY_LISTED: usize = 12;

/// An item a multi-buy mixes, linked from the product page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfferItem {
    pub title: String,
    pub href: String,
}

/// A reduced price's reference: the lowest price of the 30 days before the reduction, shown
/// crossed out, and the whole percent off it (rounded down).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PriceReduction {
    pub was: Money,
    pub percent_off: u32,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProductDetail {
    pub stem: String,
    pub slug: String,
    pub title: String,
    pub description: String,
    pub image_alt: String,
    pub category: CategoryLink,
    /// Never empty.
    pub variants: Vec<VariantInfo>,
    pub canonical: String,
    pub base_url: String,
    /// The page's schema.org `BreadcrumbList`, filled in by the server.
    #[serde(default)]
    pub breadcrumb_ld: LdJson,
    /// The reviews, for the JSON-LD the server writes (not sent to the browser).
    #[serde(skip)]
    pub reviews: crate::reviews::ReviewSummary,
    /// The "Customer reviews" section, rendered by the server ([`crate::reviews`]).
    pub reviews_html: String,
}

impl ProductDetail {
    /// Fills in the JSON-LD the page carries: the breadcrumb trail and each variant's
    /// `Product`. The server calls it once per page; the browser only copies the text.
    pub fn with_structured_data(mut self) -> Self {
        self.breadcrumb_ld = LdJson::new(&breadcrumb_list(&[
            ("Home".to_string(), format!("{}/", self.base_url)),
            (
                self.category.name.clone(),
                format!("{}/c/{}", self.base_url, self.category.slug),
            ),
            (self.title.clone(), self.canonical.clone()),
        ]));
        let lds: Vec<LdJson> = self
            .variants
            .iter()
            .map(|v| LdJson::new(&self.json_ld(v)))
            .collect();
        for (variant, ld) in self.variants.iter_mut().zip(lds) {
            variant.ld = ld;
        }
        self
    }

    /// The variant named in the URL, else the first one in stock, else the first.
    pub fn selected(&self, sku: Option<&str>) -> Option<&VariantInfo> {
        sku.and_then(|s| self.variants.iter().find(|v| v.sku.eq_ignore_ascii_case(s)))
            .or_else(|| self.variants.iter().find(|v| v.stock > 0))
            .or_else(|| self.variants.first())
    }

    /// schema.org `Product` with a single `Offer` for `variant` (and, for a reduced price, the
    /// prior price as a `StrikethroughPrice` specification).
    pub fn json_ld(&self, variant: &VariantInfo) -> serde_json::Value {
        let url = format!("{}?variant={}", self.canonical, variant.sku);
        let mut ld = serde_json::json!({
            "@context": "https://schema.org",
            "@type": "Product",
            "name": self.title,
            "description": self.description,
            "sku": variant.sku,
            "productID": self.stem,
            "category": self.category.name,
            "image": format!("{}/images/p/{}.svg", self.base_url, self.stem),
            "url": self.canonical,
            "offers": {
                "@type": "Offer",
                "url": url,
                "sku": variant.sku,
                "price": variant.price.decimal(),
                "priceCurrency": variant.price.currency.code(),
                "availability": StockLevel::of(variant.stock).schema_org(),
                "itemCondition": "https://schema.org/NewCondition",
            },
        });
        if let Some(r) = &variant.reduction {
            ld["offers"]["priceSpecification"] = serde_json::json!([
                {
                    "@type": "UnitPriceSpecification",
                    "price": variant.price.decimal(),
                    "priceCurrency": variant.price.currency.code(),
                },
                {
                    "@type": "UnitPriceSpecification",
                    "priceType": "https://schema.org/StrikethroughPrice",
                    "price": r.was.decimal(),
                    "priceCurrency": r.was.currency.code(),
                },
            ]);
        }
        if let Some(sale) = &variant.sale {
            // The sale price holds from the sale's start until its end, then the list price.
            let (from, through) = (
                crate::dates::iso(sale.starts_at),
                crate::dates::iso(sale.ends_at),
            );
            if variant.reduction.is_none() {
                ld["offers"]["priceSpecification"] = serde_json::json!([{
                    "@type": "UnitPriceSpecification",
                    "price": variant.price.decimal(),
                    "priceCurrency": variant.price.currency.code(),
                }]);
            }
            let spec = &mut ld["offers"]["priceSpecification"][0];
            spec["validFrom"] = serde_json::Value::String(from);
            spec["validThrough"] = serde_json::Value::String(through.clone());
            ld["offers"]["priceValidUntil"] = serde_json::Value::String(through);
        }
        if let Some((rating, reviews)) = crate::reviews::json_ld(&self.reviews) {
            ld["aggregateRating"] = rating;
            ld["review"] = reviews;
        }
        ld
    }
}

/// A product page, or where a renamed product lives now.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum ProductLookup {
    Found(Box<ProductDetail>),
    Moved { slug: String },
}

#[server(output = crate::codec::Postcard)]
pub async fn get_product(slug: String) -> Result<ProductLookup, StoreError> {
    let store = crate::ssr::store()?;
    let lookup = store.0.product(&slug).await?;
    if let ProductLookup::Found(detail) = &lookup
        && let Ok(request) = leptos_axum::extract::<http::request::Parts>().await
    {
        store.0.product_viewed(&request, &detail.stem);
    }
    Ok(lookup)
}

#[component]
pub fn ProductPage() -> impl IntoView {
    let params = use_params_map();
    let data = page_resource(
        move || params.read().get("slug").unwrap_or_default(),
        get_product,
    );
    let recs = recs_resource(Slot::Product, move || params.read().get("slug"));
    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(ProductLookup::Found(product)) => view! { <ProductView product=*product recs/> }.into_any(),
                    Ok(ProductLookup::Moved { slug }) => view! { <Moved slug/> }.into_any(),
                    Err(error) => view! { <ErrorPage error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// A renamed product: 301 for crawlers and browsers; a link if the browser got here by a
/// client-side navigation.
#[component]
fn Moved(slug: String) -> impl IntoView {
    let href = format!("/p/{slug}");
    #[cfg(feature = "ssr")]
    crate::ssr::redirect_permanent(&href);
    #[cfg(feature = "hydrate")]
    {
        let navigate = leptos_router::hooks::use_navigate();
        let to = href.clone();
        request_animation_frame(move || navigate(&to, Default::default()));
    }
    view! { <p class="moved">"This product has moved: " <a href=href>"go to its page"</a></p> }
}

#[component]
fn ProductView(
    product: ProductDetail,
    recs: PageResource<Result<RecsView, StoreError>>,
) -> impl IntoView {
    let query = use_query_map();
    let product = StoredValue::new(product);
    let selected = Memo::new(move |_| {
        let sku = query.read().get("variant");
        product.with_value(|p| p.selected(sku.as_deref()).cloned())
    });
    let p = product.get_value();
    let level = move || StockLevel::of(selected.get().map(|v| v.stock).unwrap_or(0));
    let crumbs = vec![
        ("Home".to_string(), Some("/".to_string())),
        (
            p.category.name.clone(),
            Some(format!("/c/{}", p.category.slug)),
        ),
        (p.title.clone(), None),
    ];
    let breadcrumb_ld = p.breadcrumb_ld.clone();
    let product_ld = move || selected.get().map(|v| v.ld);
    let image = format!("/images/p/{}.svg", p.stem);
    let variant_links = (p.variants.len() > 1).then(|| {
        let links = p.variants.iter().map(|v| {
            let sku = v.sku.clone();
            let current = move || (selected.get().map(|s| s.sku) == Some(sku.clone())).then_some("true");
            view! {
                <li><a class="variant-picker__option" href=format!("?variant={}", v.sku) aria-current=current>{v.label.clone()}</a></li>
            }
        });
        view! { <nav class="variant-picker" aria-label="Choose a variant"><ul>{links.collect_view()}</ul></nav> }
    });
    let sku = move || selected.get().map(|v| v.sku).unwrap_or_default();
    view! {
        <PageHead
            title=p.title.clone()
            description=p.description.clone()
            canonical=Some(p.canonical.clone())
            base_url=p.base_url.clone()
            og_type="product"
            image=image.clone()
        />
        {move || product_ld().map(|value| view! { <JsonLd value/> })}
        <JsonLd value=breadcrumb_ld/>
        <Breadcrumbs crumbs/>
        <article class="product">
            <div class="product__media">
                <img class="product__image" src=image alt=p.image_alt.clone() width="640" height="640"/>
            </div>
            <div class="product__details">
                <h1 class="product__title">{p.title.clone()}</h1>
                <p class="product__price price" data-testid="price">
                    {move || selected.get().map(|v| v.price.to_string()).unwrap_or_default()}
                </p>
                {move || selected.get().and_then(|v| v.reduction).map(|r| view! {
                    <p class="product__reduction">
                        <del data-testid="was-price">
                            <span class="visually-hidden">"Was "</span>{r.was.to_string()}
                        </del>
                        " "<span class="badge badge--sale" data-testid="percent-off">{format!("−{}%", r.percent_off)}</span>
                    </p>
                    <p class="hint" data-testid="prior-price">
                        {format!("Lowest price in the 30 days before this reduction: {}", r.was)}
                    </p>
                })}
                {move || selected.get().and_then(|v| v.sale).map(|sale| view! { <SaleEnds sale/> })}
                {move || selected.get().and_then(|v| v.multibuy).map(multibuy_offer)}
                <p class=move || level().class() data-testid="stock">{move || level().text()}</p>
                {variant_links}
                <form class="add-to-cart" method="post" action="/cart/add">
                    <input type="hidden" name="sku" value=sku/>
                    <label for="qty">"Quantity"</label>
                    <input id="qty" name="quantity" type="number" min="1" max="99" value="1"/>
                    <button class="button button--primary" type="submit" disabled=move || level() == StockLevel::Out>
                        "Add to cart"
                    </button>
                </form>
                <Recommendations kind=Slot::Product recs above=true/>
                <section class="product__description" aria-labelledby="desc-heading">
                    <h2 id="desc-heading">"About this product"</h2>
                    <p>{p.description.clone()}</p>
                    <dl class="product__facts">
                        <dt>"SKU"</dt>
                        <dd data-testid="sku">{sku}</dd>
                        <dt>"Category"</dt>
                        <dd><a href=format!("/c/{}", p.category.slug)>{p.category.name.clone()}</a></dd>
                    </dl>
                </section>
            </div>
        </article>
        <crate::reviews::StaticHtml html=p.reviews_html.clone()/>
        <Recommendations kind=Slot::Product recs/>
    }
}

/// "3 for £10" on this item alone, or mixing it with the items listed under the badge.
fn multibuy_offer(m: MultiBuyOffer) -> impl IntoView {
    let mixed = !m.others.is_empty() || m.more > 0;
    let text = if mixed {
        format!(
            "{} for {}: mix any {} of this and the items below",
            m.quantity, m.price, m.quantity
        )
    } else {
        format!(
            "{} for {}: mix any {} of this item",
            m.quantity, m.price, m.quantity
        )
    };
    let more = m.more;
    let items = m
        .others
        .into_iter()
        .map(|o| view! { <li><a href=o.href>{o.title}</a></li> })
        .collect_view();
    view! {
        <p class="product__multibuy badge badge--sale" data-testid="multibuy">{text}</p>
        {mixed.then(|| view! {
            <ul class="product__multibuy-items" data-testid="multibuy-items">
                {items}
                {(more > 0).then(|| view! { <li>{format!("and {more} more")}</li> })}
            </ul>
        })}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Currency;

    #[test]
    fn a_flash_sale_carries_its_window_in_json_ld() {
        let p = product();
        let mut v = p.variants[0].clone();
        v.sale = Some(SaleWindow {
            starts_at: 1_795_450_000,
            ends_at: 1_795_456_800,
        });
        let ld = p.json_ld(&v);
        assert_eq!(
            ld["offers"]["priceSpecification"][0]["validThrough"],
            "2026-11-23T18:00:00Z"
        );
        assert_eq!(ld["offers"]["priceValidUntil"], "2026-11-23T18:00:00Z");
        v.reduction = Some(PriceReduction {
            was: Money::new(340, Currency::Gbp),
            percent_off: 25,
        });
        let spec = &p.json_ld(&v)["offers"]["priceSpecification"];
        assert_eq!(spec[0]["validFrom"], crate::dates::iso(1_795_450_000));
        assert_eq!(
            spec[1]["priceType"],
            "https://schema.org/StrikethroughPrice"
        );
    }

    fn product() -> ProductDetail {
        let v = |sku: &str, stock| VariantInfo {
            sku: sku.into(),
            label: sku.into(),
            price: Money::new(255, Currency::Gbp),
            stock,
            reduction: None,
            sale: None,
            multibuy: None,
            ld: LdJson::default(),
        };
        ProductDetail {
            stem: "85123".into(),
            slug: "heart-85123".into(),
            title: "Heart".into(),
            description: "A heart.".into(),
            image_alt: "Heart".into(),
            category: CategoryLink {
                slug: "home".into(),
                name: "Home".into(),
                product_count: 1,
            },
            variants: vec![v("85123A", 0), v("85123B", 4)],
            canonical: "https://shop.test/p/heart-85123".into(),
            base_url: "https://shop.test".into(),
            breadcrumb_ld: LdJson::default(),
            reviews: Default::default(),
            reviews_html: String::new(),
        }
    }

    #[test]
    fn selection_prefers_the_url_then_stock() {
        let p = product();
        assert_eq!(
            p.selected(Some("85123a")).map(|v| v.sku.as_str()),
            Some("85123A")
        );
        assert_eq!(p.selected(None).map(|v| v.sku.as_str()), Some("85123B"));
        assert_eq!(
            p.selected(Some("nope")).map(|v| v.sku.as_str()),
            Some("85123B")
        );
    }

    #[test]
    fn json_ld_has_one_offer_with_the_server_price() {
        let p = product();
        let ld = p.json_ld(&p.variants[1]);
        assert_eq!(ld["@type"], "Product");
        assert_eq!(ld["offers"]["price"], "2.55");
        assert_eq!(ld["offers"]["priceCurrency"], "GBP");
        assert_eq!(
            ld["offers"]["availability"],
            "https://schema.org/LimitedAvailability"
        );
        assert_eq!(ld["offers"]["sku"], "85123B");
        assert_eq!(ld["image"], "https://shop.test/images/p/85123.svg");
    }

    #[test]
    fn a_reduced_price_carries_its_strikethrough_price_in_json_ld() {
        let mut p = product();
        let mut v = p.variants[0].clone();
        assert!(p.json_ld(&v)["offers"].get("priceSpecification").is_none());
        v.reduction = Some(PriceReduction {
            was: Money::new(340, Currency::Gbp),
            percent_off: 25,
        });
        p.variants[0] = v.clone();
        let spec = &p.json_ld(&v)["offers"]["priceSpecification"];
        assert_eq!(spec[0]["price"], "2.55");
        assert_eq!(
            spec[1]["priceType"],
            "https://schema.org/StrikethroughPrice"
        );
        assert_eq!(spec[1]["price"], "3.40");
    }
}

/// "Sale ends 23 Nov 18:00 UTC": a plain end time in the HTML (works without JavaScript; the
/// server's clock decides when the price changes), and with the bundle a live countdown beside
/// it, which is presentation only.
#[component]
fn SaleEnds(sale: SaleWindow) -> impl IntoView {
    let left = RwSignal::new(None::<i64>);
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        let tick = move || {
            let now = (leptos::web_sys::js_sys::Date::now() / 1000.0) as i64;
            left.set(Some(sale.ends_at - now));
        };
        tick();
        if let Ok(handle) = set_interval_with_handle(tick, std::time::Duration::from_secs(1)) {
            on_cleanup(move || handle.clear());
        }
    });
    view! {
        <p class="product__sale-ends" data-testid="sale-ends">
            "Sale ends "
            <time datetime=crate::dates::iso(sale.ends_at)>{crate::dates::short_utc(sale.ends_at)}</time>
            {move || left.get().map(|s| view! {
                " "<span class="countdown" data-testid="countdown" aria-live="off">
                    {if s > 0 { format!("({} left)", crate::dates::countdown(s)) } else { "(ended: reload for the current price)".to_string() }}
                </span>
            })}
        </p>
    }
}
