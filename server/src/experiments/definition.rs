//! What an experiment is, checked: its slot, its variants' content and weights, its status
//! and the transitions between statuses. Pure parsing and rules with no I/O; `store` writes
//! what passes here, and the serving side reads the same content JSON back.
//!
//! Never accept content a slot cannot render: a hero link that leaves the site (`//host`,
//! `https://`), unbounded text, or a layout value the product page does not know.

use super::serving::SlotKey;
use serde::Serialize;

/// Variants per experiment: a control and one to three challengers.
pub const MIN_VARIANTS: usize = 2;
pub const MAX_VARIANTS: usize = 4;
/// Bounds on typed text, in characters.
pub const NAME_MAX: usize = 80;
pub const HEADLINE_MAX: usize = 80;
pub const COPY_MAX: usize = 240;
pub const CTA_LABEL_MAX: usize = 40;
pub const CTA_HREF_MAX: usize = 200;
/// The largest weight: weights are relative, so this is plenty, and sums stay far from
/// overflowing `u32` in `vitrine::experiments::assign`.
pub const WEIGHT_MAX: u32 = 10_000;

/// Every slot, in the order the form lists them.
pub const SLOTS: [SlotKey; 3] = [
    SlotKey::HomeHero,
    SlotKey::ProductLayout,
    SlotKey::RecsAlgorithm,
];

/// The slot named `key` (`home_hero`, `product_layout`, `recs_algorithm`).
pub fn parse_slot(key: &str) -> Option<SlotKey> {
    SLOTS.into_iter().find(|s| s.key() == key)
}

/// What marketers see as the slot's name.
pub fn slot_label(slot: SlotKey) -> &'static str {
    match slot {
        SlotKey::HomeHero => "Home page hero",
        SlotKey::ProductLayout => "Product page layout",
        SlotKey::RecsAlgorithm => "Recommendation algorithm",
    }
}

/// A variant's content, as the slot renders it. Serialises to the JSON stored in
/// `experiment_variants.content` and `slot_defaults.content`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Content {
    Hero {
        headline: String,
        copy: String,
        cta_label: String,
        cta_href: String,
        /// A picture on this site (a path such as `/images/p/85123.svg`), or empty for none.
        #[serde(skip_serializing_if = "String::is_empty")]
        image: String,
        /// Its text alternative; required with an image.
        #[serde(skip_serializing_if = "String::is_empty")]
        image_alt: String,
    },
    Layout {
        /// `above` or `below` the description.
        recs: String,
    },
    Algorithm {
        /// `model` or `co-purchases`.
        algorithm: String,
    },
}

/// The fields a form gives for one variant's content; only the slot's own are read.
#[derive(Clone, Debug, Default)]
pub struct ContentFields {
    pub headline: String,
    pub copy: String,
    pub cta_label: String,
    pub cta_href: String,
    pub image: String,
    pub image_alt: String,
    pub recs: String,
    pub algorithm: String,
}

impl Content {
    /// The content for `slot` from typed fields, trimmed.
    ///
    /// # Errors
    /// A sentence naming the field to fix (`label` says which variant).
    pub fn parse(slot: SlotKey, f: &ContentFields, label: &str) -> Result<Self, String> {
        match slot {
            SlotKey::HomeHero => Ok(Content::Hero {
                headline: text(&f.headline, HEADLINE_MAX, label, "headline")?,
                copy: text(&f.copy, COPY_MAX, label, "copy")?,
                cta_label: text(&f.cta_label, CTA_LABEL_MAX, label, "button label")?,
                cta_href: relative_path(&f.cta_href, label, "button link")?,
                image: match f.image.trim() {
                    "" => String::new(),
                    image => relative_path(image, label, "picture")?,
                },
                image_alt: match (f.image.trim(), f.image_alt.trim()) {
                    ("", _) => String::new(),
                    (_, "") => {
                        return Err(format!(
                            "{label}: describe the picture for people who cannot see it (its text alternative)."
                        ));
                    }
                    _ => text(&f.image_alt, COPY_MAX, label, "picture description")?,
                },
            }),
            SlotKey::ProductLayout => match f.recs.trim() {
                r @ ("above" | "below") => Ok(Content::Layout {
                    recs: r.to_string(),
                }),
                _ => Err(format!(
                    "{label}: choose whether recommendations go above or below the description."
                )),
            },
            SlotKey::RecsAlgorithm => match f.algorithm.trim() {
                a @ ("model" | "co-purchases") => Ok(Content::Algorithm {
                    algorithm: a.to_string(),
                }),
                _ => Err(format!(
                    "{label}: choose the algorithm: the model or co-purchases."
                )),
            },
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// The words shoppers read (checked for banned superlatives).
    pub fn shopper_text(&self) -> Vec<&str> {
        match self {
            Content::Hero {
                headline,
                copy,
                cta_label,
                image_alt,
                ..
            } => vec![headline, copy, cta_label, image_alt],
            Content::Layout { .. } | Content::Algorithm { .. } => Vec::new(),
        }
    }
}

/// The words shoppers read in stored content JSON (any slot): every string value but links.
pub fn shopper_text_of_json(content: &str) -> Vec<String> {
    let Ok(serde_json::Value::Object(map)) = serde_json::from_str(content) else {
        return Vec::new();
    };
    ["headline", "copy", "cta_label", "image_alt"]
        .iter()
        .filter_map(|k| map.get(*k).and_then(|v| v.as_str()).map(str::to_string))
        .collect()
}

/// One checked variant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewVariant {
    pub name: String,
    pub weight: u32,
    pub content: Content,
}

/// A checked request to create an experiment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewExperiment {
    pub slot: SlotKey,
    pub name: String,
    pub variants: Vec<NewVariant>,
}

/// One variant as typed into the form.
#[derive(Clone, Debug, Default)]
pub struct VariantFields {
    pub name: String,
    pub weight: String,
    pub content: ContentFields,
}

impl NewExperiment {
    /// Checks a typed experiment: a known slot, a name, 2–4 variants with names, integer
    /// weights in `0..=WEIGHT_MAX` adding up to more than zero, and content valid for the slot.
    ///
    /// # Errors
    /// A sentence naming the first thing to fix.
    pub fn parse(slot: &str, name: &str, variants: &[VariantFields]) -> Result<Self, String> {
        let slot = parse_slot(slot).ok_or("Choose the slot the experiment varies.")?;
        let name = text(name, NAME_MAX, "The experiment", "name")?;
        if !(MIN_VARIANTS..=MAX_VARIANTS).contains(&variants.len()) {
            return Err(format!(
                "An experiment needs {MIN_VARIANTS} to {MAX_VARIANTS} variants."
            ));
        }
        let variants = variants
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let label = format!("Variant {}", i + 1);
                Ok(NewVariant {
                    name: text(&v.name, NAME_MAX, &label, "name")?,
                    weight: weight(&v.weight, &label)?,
                    content: Content::parse(slot, &v.content, &label)?,
                })
            })
            .collect::<Result<Vec<_>, String>>()?;
        if variants.iter().all(|v| v.weight == 0) {
            return Err("At least one variant needs a weight above zero.".to_string());
        }
        Ok(NewExperiment {
            slot,
            name,
            variants,
        })
    }

    /// The banned superlatives in the variants' copy, each once.
    pub fn banned_terms(&self) -> Vec<&'static str> {
        super::copy_check::banned_terms_in(
            self.variants.iter().flat_map(|v| v.content.shopper_text()),
        )
    }
}

fn text(typed: &str, max: usize, label: &str, field: &str) -> Result<String, String> {
    let t = typed.trim();
    if t.is_empty() {
        return Err(format!("{label}: enter the {field}."));
    }
    if t.chars().count() > max {
        return Err(format!(
            "{label}: the {field} can be at most {max} characters."
        ));
    }
    if t.chars().any(char::is_control) {
        return Err(format!(
            "{label}: the {field} can't contain control characters."
        ));
    }
    Ok(t.to_string())
}

fn weight(typed: &str, label: &str) -> Result<u32, String> {
    typed
        .trim()
        .parse::<u32>()
        .ok()
        .filter(|w| *w <= WEIGHT_MAX)
        .ok_or_else(|| format!("{label}: the weight is a whole number from 0 to {WEIGHT_MAX}."))
}

/// A link on this site: starts with `/`, not `//` (another host), no backslash, space or
/// control character (which browsers may read as another host or a new header).
fn relative_path(typed: &str, label: &str, what: &str) -> Result<String, String> {
    let href = typed.trim();
    let ok = href.starts_with('/')
        && !href.starts_with("//")
        && href.len() <= CTA_HREF_MAX
        && !href.contains('\\')
        && !href.chars().any(|c| c.is_whitespace() || c.is_control());
    if ok {
        Ok(href.to_string())
    } else {
        Err(format!(
            "{label}: the {what} must be a path on this site starting with “/”, such as /c/lights."
        ))
    }
}

/// Where an experiment is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Draft,
    Running,
    Paused,
    Stopped,
}

/// A status change a marketer asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Transition {
    Start,
    Pause,
    Stop,
    /// Ship the variant at this position.
    Ship(u32),
}

impl Status {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "draft" => Some(Status::Draft),
            "running" => Some(Status::Running),
            "paused" => Some(Status::Paused),
            "stopped" => Some(Status::Stopped),
            _ => None,
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Running => "running",
            Status::Paused => "paused",
            Status::Stopped => "stopped",
        }
    }

    /// The status after `t`.
    ///
    /// # Errors
    /// A sentence saying why `t` is not possible from here.
    pub fn after(self, t: Transition) -> Result<Status, String> {
        use Status::*;
        match (self, t) {
            (Draft | Paused, Transition::Start) => Ok(Running),
            (Running, Transition::Pause) => Ok(Paused),
            (Running | Paused, Transition::Stop | Transition::Ship(_)) => Ok(Stopped),
            (Stopped, _) => {
                Err("This experiment has ended; create a new one to test again.".into())
            }
            (Running, Transition::Start) => Err("This experiment is already running.".into()),
            (Draft, Transition::Pause | Transition::Stop | Transition::Ship(_)) => {
                Err("This experiment has not started yet; start it or leave it as a draft.".into())
            }
            (Paused, Transition::Pause) => Err("This experiment is already paused.".into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hero(name: &str, weight: &str, headline: &str, href: &str) -> VariantFields {
        VariantFields {
            name: name.into(),
            weight: weight.into(),
            content: ContentFields {
                headline: headline.into(),
                copy: "Lanterns, mugs and more.".into(),
                cta_label: "Shop lights".into(),
                cta_href: href.into(),
                ..ContentFields::default()
            },
        }
    }

    #[test]
    fn a_hero_picture_is_a_path_on_this_site_with_a_description() {
        let with = |image: &str, alt: &str| {
            let mut v = hero("A", "1", "Warm gifts", "/c/lights");
            v.content.image = image.into();
            v.content.image_alt = alt.into();
            Content::parse(SlotKey::HomeHero, &v.content, "Variant A")
        };
        let ok = with("/images/p/85123.svg", "A white hanging heart").expect("valid");
        assert!(
            ok.to_json().contains(r#""image":"/images/p/85123.svg""#),
            "{}",
            ok.to_json()
        );
        assert!(
            !with("", "")
                .expect("no picture")
                .to_json()
                .contains("image")
        );
        let missing_alt = with("/images/p/85123.svg", " ").expect_err("no description");
        assert!(missing_alt.contains("text alternative"), "{missing_alt}");
        let elsewhere = with("https://example.com/x.png", "x").expect_err("another site");
        assert!(elsewhere.contains("picture must be a path"), "{elsewhere}");
        // The description is shopper text, so it is checked for banned superlatives.
        assert!(
            with("/images/p/1.svg", "The best heart")
                .expect("valid")
                .shopper_text()
                .contains(&"The best heart")
        );
    }

    #[test]
    fn a_hero_experiment_with_two_variants_parses_to_the_slot_json() {
        let e = NewExperiment::parse(
            "home_hero",
            " Hero copy ",
            &[
                hero("Control", "1", "Gifts", "/"),
                hero("Warm", "1", "Warm gifts", "/c/lights"),
            ],
        )
        .expect("valid");
        assert_eq!(e.name, "Hero copy");
        assert_eq!(
            e.variants[1].content.to_json(),
            r#"{"headline":"Warm gifts","copy":"Lanterns, mugs and more.","cta_label":"Shop lights","cta_href":"/c/lights"}"#
        );
        assert!(e.banned_terms().is_empty());
    }

    #[test]
    fn variant_counts_weights_and_links_are_checked() {
        let ok = hero("A", "1", "Gifts", "/");
        let err = |slot: &str, vs: &[VariantFields]| {
            NewExperiment::parse(slot, "x", vs).expect_err("invalid")
        };
        assert!(err("home_hero", std::slice::from_ref(&ok)).contains("2 to 4 variants"));
        assert!(err("home_hero", &vec![ok.clone(); 5]).contains("2 to 4 variants"));
        assert!(err("banner", &[ok.clone(), ok.clone()]).contains("slot"));
        for bad in ["-1", "1.5", "", "x", "10001"] {
            let e = err("home_hero", &[ok.clone(), hero("B", bad, "G", "/")]);
            assert!(e.starts_with("Variant 2: the weight"), "{bad}: {e}");
        }
        let zero = err(
            "home_hero",
            &[hero("A", "0", "G", "/"), hero("B", "0", "G", "/")],
        );
        assert!(zero.contains("weight above zero"), "{zero}");
        assert!(
            NewExperiment::parse("home_hero", "x", &[hero("A", "0", "G", "/"), ok.clone()]).is_ok()
        );
        for bad in [
            "//evil.example",
            "https://evil.example",
            "c/lights",
            "/\\evil",
            "/a b",
            "",
        ] {
            let e = err("home_hero", &[ok.clone(), hero("B", "1", "G", bad)]);
            assert!(e.contains("button link"), "{bad}: {e}");
        }
        let long = "x".repeat(HEADLINE_MAX + 1);
        assert!(err("home_hero", &[ok.clone(), hero("B", "1", &long, "/")]).contains("at most 80"));
        assert!(err("home_hero", &[ok.clone(), hero("B", "1", "  ", "/")]).contains("headline"));
    }

    #[test]
    fn layout_and_algorithm_slots_take_only_their_values() {
        let v = |recs: &str, algorithm: &str| VariantFields {
            name: "v".into(),
            weight: "1".into(),
            content: ContentFields {
                recs: recs.into(),
                algorithm: algorithm.into(),
                ..ContentFields::default()
            },
        };
        let e = NewExperiment::parse("product_layout", "x", &[v("above", ""), v("below", "")])
            .expect("valid");
        assert_eq!(e.variants[0].content.to_json(), r#"{"recs":"above"}"#);
        assert!(
            NewExperiment::parse("product_layout", "x", &[v("above", ""), v("left", "")]).is_err()
        );
        let e = NewExperiment::parse(
            "recs_algorithm",
            "x",
            &[v("", "model"), v("", "co-purchases")],
        )
        .expect("valid");
        assert_eq!(
            e.variants[1].content.to_json(),
            r#"{"algorithm":"co-purchases"}"#
        );
        assert!(
            NewExperiment::parse("recs_algorithm", "x", &[v("", "model"), v("", "random")])
                .is_err()
        );
    }

    #[test]
    fn banned_words_in_hero_copy_are_found_across_variants() {
        let e = NewExperiment::parse(
            "home_hero",
            "x",
            &[
                hero("A", "1", "The best gifts", "/"),
                hero("B", "1", "最佳礼物", "/"),
            ],
        )
        .expect("valid: banned words warn, they do not block saving");
        assert_eq!(e.banned_terms(), ["best", "最佳"]);
        assert_eq!(
            shopper_text_of_json(&e.variants[1].content.to_json()),
            ["最佳礼物", "Lanterns, mugs and more.", "Shop lights"]
        );
    }

    #[test]
    fn the_state_machine_allows_only_the_documented_transitions() {
        use Status::*;
        use Transition::*;
        assert_eq!(Draft.after(Start), Ok(Running));
        assert_eq!(Paused.after(Start), Ok(Running));
        assert_eq!(Running.after(Pause), Ok(Paused));
        assert_eq!(Running.after(Stop), Ok(Stopped));
        assert_eq!(Paused.after(Stop), Ok(Stopped));
        assert_eq!(Running.after(Ship(1)), Ok(Stopped));
        assert_eq!(Paused.after(Ship(0)), Ok(Stopped));
        for (from, t) in [
            (Draft, Pause),
            (Draft, Stop),
            (Draft, Ship(0)),
            (Running, Start),
            (Paused, Pause),
            (Stopped, Start),
            (Stopped, Pause),
            (Stopped, Stop),
            (Stopped, Ship(0)),
        ] {
            assert!(from.after(t).is_err(), "{from:?} -> {t:?}");
        }
        for s in [Draft, Running, Paused, Stopped] {
            assert_eq!(Status::parse(s.key()), Some(s));
        }
    }
}
