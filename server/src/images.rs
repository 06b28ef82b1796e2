//! Generated product pictures: a small abstract "still life" SVG for every product, so the
//! catalogue looks finished without photographs. The picture is a pure function of the
//! product's stem, title, category slug and colour words: the same product always gets
//! byte-identical bytes (cacheable forever, stable in snapshots), and two products that share
//! a category still look different. This module never touches the network, the file system
//! or the database, and every piece of data-derived text it writes is escaped for XML.

use std::fmt::Write as _;

/// Longest line of the title drawn on the picture, in characters.
const LINE_CHARS: usize = 18;
/// Most lines of title drawn on the picture; the rest is elided.
const MAX_LINES: usize = 3;
/// Text colour on the label: near-black ink on a near-white card (contrast above 14:1).
const INK: &str = "#1f1c19";
/// Warm highlight used for flames, stars and bows whatever the product colour.
const GLOW: &str = "#f2b441";

/// What the picture shows, for `alt` text and the SVG `<title>`.
pub fn product_image_alt(title: &str, category_name: &str) -> String {
    let title = title.trim();
    let category = category_name.trim();
    match (title.is_empty(), category.is_empty()) {
        (true, true) => "Illustration of a product".to_owned(),
        (true, false) => format!("Illustration of a product from {category}"),
        (false, true) => format!("Illustration of {title}"),
        (false, false) => format!("Illustration of {title}, from {category}"),
    }
}

/// A square SVG (viewBox 0 0 640 640, width/height 640) for a product, a pure function of its
/// inputs: the same inputs always give byte-identical output.
pub fn product_svg(stem: &str, title: &str, category_slug: &str, colours: &[String]) -> String {
    let hash = fnv1a64(stem.as_bytes());
    let palette = colours
        .iter()
        .find_map(|c| Palette::named(c))
        .unwrap_or_else(|| Palette::from_hue(hash % 360));
    let motif = Motif::for_product(category_slug, title);
    let alt = escape_xml(&product_image_alt(title, &humanise_slug(category_slug)));
    // The id only has to be unique when several pictures are inlined into one document.
    let gid = format!("bg{:08x}", hash as u32);

    let mut svg = String::with_capacity(3072);
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="640" height="640" viewBox="0 0 640 640" role="img" aria-label="{alt}"><title>{alt}</title><defs><linearGradient id="{gid}" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="{}"/><stop offset="1" stop-color="{}"/></linearGradient></defs><rect width="640" height="640" fill="url(#{gid})"/>"#,
        palette.bg_top, palette.bg_bottom
    );
    decorations(&mut svg, hash, &palette);
    svg.push_str(r##"<ellipse cx="320" cy="398" rx="150" ry="14" fill="#000" opacity=".08"/>"##);
    motif.draw(&mut svg, &palette);
    title_label(&mut svg, title);
    svg.push_str("</svg>");
    svg
}

/// FNV-1a, 64-bit: tiny, stable across platforms and releases, good enough to spread stems.
fn fnv1a64(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// One step of splitmix64, to draw several independent numbers from one hash.
fn next(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A few soft circles and dots behind the motif, placed by the hash.
fn decorations(svg: &mut String, hash: u64, palette: &Palette) {
    let mut state = hash;
    for i in 0..5u64 {
        let x = 40 + next(&mut state) % 560;
        let y = 40 + next(&mut state) % 340;
        let (r, fill, opacity) = if i < 3 {
            (24 + next(&mut state) % 56, "#fff", ".45")
        } else {
            (6 + next(&mut state) % 10, palette.main, ".35")
        };
        let _ = write!(
            svg,
            r#"<circle cx="{x}" cy="{y}" r="{r}" fill="{fill}" opacity="{opacity}"/>"#
        );
    }
}

/// The title on a white card in the lower part of the picture.
fn title_label(svg: &mut String, title: &str) {
    let lines = wrap_title(title);
    if lines.is_empty() {
        return;
    }
    let line_height = 44;
    let height = 40 + line_height * lines.len();
    let top = 600 - height;
    let _ = write!(
        svg,
        r##"<rect x="56" y="{top}" width="528" height="{height}" rx="18" fill="#fff" opacity=".9"/><text x="320" text-anchor="middle" font-family="system-ui,-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif" font-size="34" font-weight="600" fill="{INK}">"##
    );
    for (i, line) in lines.iter().enumerate() {
        // Baselines sit a little below each line's centre.
        let y = top + 20 + line_height * i + 33;
        let _ = write!(
            svg,
            r#"<tspan x="320" y="{y}">{}</tspan>"#,
            escape_xml(line)
        );
    }
    svg.push_str("</text>");
}

/// Splits a title into at most [`MAX_LINES`] lines of at most [`LINE_CHARS`] characters,
/// breaking at spaces where it can and ending with an ellipsis when the title does not fit.
fn wrap_title(title: &str) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut truncated = false;
    'words: for word in title.split_whitespace() {
        let mut word: Vec<char> = word.chars().collect();
        loop {
            let used = current.chars().count();
            let needed = word.len() + usize::from(used > 0);
            if used + needed <= LINE_CHARS {
                if used > 0 {
                    current.push(' ');
                }
                current.extend(word.iter());
                break;
            }
            if used == 0 {
                // A word longer than a line is cut.
                current.extend(word.drain(..LINE_CHARS));
            }
            lines.push(std::mem::take(&mut current));
            if lines.len() == MAX_LINES {
                truncated = true;
                break 'words;
            }
        }
    }
    if !current.is_empty() {
        lines.push(current);
    }
    if truncated && let Some(last) = lines.last_mut() {
        let mut kept: Vec<char> = last.chars().collect();
        kept.truncate(LINE_CHARS - 1);
        *last = kept.into_iter().collect::<String>().trim_end().to_owned() + "…";
    }
    lines
}

/// Escapes the five XML special characters and drops control characters XML 1.0 forbids.
fn escape_xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(' '),
            c if c.is_control() || c == '\u{fffe}' || c == '\u{ffff}' => {}
            c => out.push(c),
        }
    }
    out
}

/// `"candles-lights"` becomes `"Candles lights"`, for the `<title>` of the picture.
fn humanise_slug(slug: &str) -> String {
    let words = slug.replace(['-', '_'], " ");
    let mut chars = words.trim().chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Colours of one picture: background gradient, the motif's body and its darker side.
struct Palette {
    bg_top: &'static str,
    bg_bottom: &'static str,
    main: &'static str,
    shade: &'static str,
}

impl Palette {
    /// The palette of the first colour word found in `colour` ("Red", "pale pink", ...).
    fn named(colour: &str) -> Option<Self> {
        colour
            .split(|c: char| !c.is_ascii_alphabetic())
            .find_map(|word| Self::for_word(&word.to_ascii_lowercase()))
    }

    fn for_word(word: &str) -> Option<Self> {
        let [bg_top, bg_bottom, main, shade] = match word {
            "red" => ["#fbece8", "#f2cfc8", "#c0392b", "#8e2a20"],
            "pink" | "rose" => ["#fdf0f3", "#f6d4de", "#dd7f99", "#b0526d"],
            "blue" | "navy" => ["#edf2fa", "#cfdcef", "#3f6fb0", "#2c4f80"],
            "green" | "mint" => ["#edf5ec", "#d0e4d2", "#4f8a5b", "#356242"],
            "white" => ["#eef0f2", "#d6dbe1", "#fdfcf9", "#c9c4b8"],
            "black" => ["#efeeeb", "#d5d3ce", "#2d2c2e", "#111112"],
            "ivory" => ["#eee8d8", "#d9ceb2", "#fcf8ec", "#d6c9a2"],
            "cream" => ["#efe8da", "#dccfb5", "#f6ecd3", "#cdb78d"],
            "gold" => ["#f9f3e1", "#ecdfb6", "#c9a227", "#8f7117"],
            "silver" => ["#f1f2f4", "#d9dce1", "#c2c7cc", "#878e95"],
            "yellow" => ["#fdf8e0", "#f4e7ad", "#e6bd34", "#ad8b18"],
            "orange" => ["#fdf0e6", "#f6d6bf", "#e07b39", "#ad561f"],
            "purple" => ["#f3edf7", "#ddd0ea", "#7d52a0", "#5a3878"],
            "grey" | "gray" => ["#f1f1f0", "#dbdbd8", "#8a8f96", "#5e636a"],
            "brown" => ["#f6eee7", "#e3d2c2", "#8b5a3c", "#5f3b25"],
            "natural" | "wood" | "wooden" => ["#f6f1e7", "#e6dbc8", "#c7ad86", "#957b57"],
            "turquoise" | "teal" => ["#e7f6f5", "#c4e7e5", "#2c9e9b", "#1d7270"],
            "lilac" | "lavender" => ["#f5f0fa", "#e2d6f0", "#b398d4", "#876bab"],
            _ => return None,
        };
        Some(Self {
            bg_top,
            bg_bottom,
            main,
            shade,
        })
    }

    /// A calm palette around `hue` (degrees), for products without a colour word.
    fn from_hue(hue: u64) -> Self {
        // Twelve fixed hues keep the output free of floating point and the colours curated.
        const HUES: [[&str; 4]; 12] = [
            ["#fbefea", "#f1d5ca", "#c0644a", "#8d4532"],
            ["#fcf4e8", "#f1dfc0", "#c98a3a", "#95632a"],
            ["#fbf8e6", "#eee6bc", "#b59c2f", "#81701f"],
            ["#f2f6e8", "#dbe5c6", "#7f9a45", "#5b6f30"],
            ["#ebf5ee", "#cbe4d4", "#4c9066", "#346848"],
            ["#e8f5f4", "#c5e4e2", "#35938f", "#246966"],
            ["#eaf3f8", "#c9e0ec", "#3b86ad", "#2a607d"],
            ["#edf0fa", "#d0d8f0", "#5268b5", "#3a4a83"],
            ["#f1eefa", "#dad2f0", "#7660b5", "#554484"],
            ["#f6edf8", "#e6d0ec", "#9c5aad", "#71407e"],
            ["#faedf3", "#f0d0de", "#b9557f", "#873c5c"],
            ["#fbedee", "#f1d0d3", "#bd4f5a", "#8a3840"],
        ];
        let [bg_top, bg_bottom, main, shade] = HUES[(hue % 360 / 30) as usize];
        Self {
            bg_top,
            bg_bottom,
            main,
            shade,
        }
    }
}

/// The object drawn in the middle of the picture.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Motif {
    Tree,
    Candle,
    Bag,
    Mug,
    Ring,
    Frame,
    Flower,
    Envelope,
    Balloons,
    Clock,
    Gift,
    Heart,
}

/// Word prefixes that choose a motif, checked in order (so "christmas-lights" is a tree).
const MOTIF_WORDS: &[(Motif, &[&str])] = &[
    (
        Motif::Tree,
        &[
            "christmas",
            "xmas",
            "tree",
            "advent",
            "festive",
            "bauble",
            "tinsel",
        ],
    ),
    (
        Motif::Candle,
        &["candle", "light", "lantern", "lamp", "tealight"],
    ),
    (
        Motif::Bag,
        &["bag", "tote", "purse", "shopper", "wallet", "luggage"],
    ),
    (
        Motif::Mug,
        &[
            "kitchen", "mug", "cup", "tea", "baking", "cake", "dining", "plate", "bowl", "lunch",
            "jug",
        ],
    ),
    (
        Motif::Ring,
        &[
            "jewel", "ring", "necklace", "bracelet", "earring", "charm", "pendant",
        ],
    ),
    (
        Motif::Frame,
        &[
            "frame", "photo", "wall", "sign", "art", "mirror", "print", "poster",
        ],
    ),
    (
        Motif::Flower,
        &["garden", "flower", "plant", "outdoor", "rose", "floral"],
    ),
    (
        Motif::Envelope,
        &[
            "card",
            "paper",
            "stationery",
            "notebook",
            "wrap",
            "pen",
            "letter",
            "craft",
        ],
    ),
    (
        Motif::Balloons,
        &["toy", "kid", "child", "party", "balloon", "game", "baby"],
    ),
    (Motif::Clock, &["clock", "alarm", "watch"]),
    (Motif::Gift, &["gift", "box", "storage", "tin", "hamper"]),
    (
        Motif::Heart,
        &["heart", "love", "valentine", "home", "decor"],
    ),
];

impl Motif {
    /// The category decides; a category the table does not know falls back on the title's
    /// words, then on a heart.
    fn for_product(category_slug: &str, title: &str) -> Self {
        Self::from_words(category_slug)
            .or_else(|| Self::from_words(title))
            .unwrap_or(Self::Heart)
    }

    fn from_words(text: &str) -> Option<Self> {
        let text = text.to_ascii_lowercase();
        let words: Vec<&str> = text.split(|c: char| !c.is_ascii_alphanumeric()).collect();
        MOTIF_WORDS.iter().find_map(|(motif, prefixes)| {
            let hit = words
                .iter()
                .any(|w| !w.is_empty() && prefixes.iter().any(|p| w.starts_with(p)));
            hit.then_some(*motif)
        })
    }

    /// Writes the motif's elements; everything fits between y = 70 and y = 400.
    fn draw(self, svg: &mut String, p: &Palette) {
        let (m, s) = (p.main, p.shade);
        let _ = match self {
            Self::Tree => write!(
                svg,
                r##"<rect x="302" y="350" width="36" height="48" fill="#7a5236"/><path d="M320 90 230 215h40l-65 85h40l-75 75h300l-75-75h40l-65-85h40z" fill="{m}"/><path d="M320 90v285h150l-75-75h40l-65-85h40z" fill="{s}" opacity=".35"/><path d="m320 62 9 19 21 3-15 15 4 21-19-10-19 10 4-21-15-15 21-3z" fill="{GLOW}"/><circle cx="280" cy="250" r="10" fill="{GLOW}"/><circle cx="355" cy="300" r="10" fill="#fff"/><circle cx="300" cy="345" r="10" fill="{GLOW}"/>"##
            ),
            Self::Candle => write!(
                svg,
                r##"<circle cx="292" cy="118" r="62" fill="{GLOW}" opacity=".22"/><rect x="236" y="190" width="112" height="208" rx="14" fill="{m}"/><rect x="318" y="196" width="22" height="196" rx="9" fill="{s}" opacity=".3"/><path d="M292 190v-22" stroke="#3a302a" stroke-width="4"/><path d="M292 92c18 28 26 48 0 76-26-28-18-48 0-76z" fill="{GLOW}"/><path d="M292 128c8 12 10 22 0 34-10-12-8-22 0-34z" fill="#fff3c9"/><rect x="366" y="270" width="72" height="128" rx="12" fill="{m}"/><rect x="418" y="276" width="14" height="116" rx="6" fill="{s}" opacity=".3"/><path d="M402 270v-14" stroke="#3a302a" stroke-width="4"/><path d="M402 214c12 18 16 30 0 44-16-14-12-26 0-44z" fill="{GLOW}"/>"##
            ),
            Self::Bag => write!(
                svg,
                r##"<path d="M262 206v-42a58 58 0 0 1 116 0v42" stroke="{s}" stroke-width="14" fill="none"/><path d="M214 196h212l18 202H196z" fill="{m}"/><path d="M214 196h212l4 40H210z" fill="{s}" opacity=".35"/><circle cx="262" cy="216" r="8" fill="{s}"/><circle cx="378" cy="216" r="8" fill="{s}"/>"##
            ),
            Self::Mug => write!(
                svg,
                r##"<ellipse cx="310" cy="392" rx="150" ry="16" fill="{s}"/><path d="M380 236h24a42 42 0 0 1 0 84h-24" stroke="{m}" stroke-width="20" fill="none"/><rect x="214" y="196" width="176" height="190" rx="24" fill="{m}"/><rect x="350" y="204" width="24" height="174" rx="10" fill="{s}" opacity=".3"/><path d="M270 170c-14-20 14-30 0-52M310 170c-14-20 14-30 0-52M350 170c-14-20 14-30 0-52" stroke="#fff" stroke-width="7" stroke-linecap="round" fill="none" opacity=".85"/>"##
            ),
            Self::Ring => write!(
                svg,
                r##"<circle cx="320" cy="292" r="92" stroke="{m}" stroke-width="24" fill="none"/><path d="M254 250a80 80 0 0 1 56-50" stroke="#fff" stroke-width="7" stroke-linecap="round" fill="none" opacity=".5"/><path d="M276 160l24-34h40l24 34-44 52z" fill="{s}"/><path d="M300 126h40l24 34h-88z" fill="#fff" opacity=".55"/><circle cx="420" cy="120" r="6" fill="#fff"/><circle cx="440" cy="150" r="4" fill="#fff"/>"##
            ),
            Self::Frame => write!(
                svg,
                r##"<rect x="186" y="80" width="268" height="316" rx="6" fill="{s}"/><rect x="200" y="94" width="240" height="288" fill="{m}"/><rect x="222" y="116" width="196" height="244" fill="#fffdf7"/><circle cx="372" cy="170" r="22" fill="{GLOW}"/><path d="M222 360v-56l58-70 50 58 34-34 54 58v44z" fill="{m}" opacity=".8"/>"##
            ),
            Self::Flower => write!(
                svg,
                r##"<path d="M320 398V220" stroke="#4f7f52" stroke-width="10"/><path d="M320 330c-48-4-70-30-76-60 40 2 70 22 76 60zM320 300c40-6 58-30 62-56-34 2-58 22-62 56z" fill="#5f9463"/><g fill="{m}"><circle cx="320" cy="128" r="42"/><circle cx="370" cy="166" r="42"/><circle cx="351" cy="224" r="42"/><circle cx="289" cy="224" r="42"/><circle cx="270" cy="166" r="42"/></g><circle cx="320" cy="184" r="30" fill="{GLOW}"/>"##
            ),
            Self::Envelope => write!(
                svg,
                r##"<rect x="178" y="150" width="284" height="196" rx="12" fill="{s}" transform="rotate(-8 320 248)"/><rect x="178" y="176" width="284" height="196" rx="12" fill="{m}"/><path d="M186 186l134 100 134-100" stroke="{s}" stroke-width="8" fill="none" stroke-linejoin="round"/><rect x="398" y="198" width="42" height="50" rx="4" fill="#fff" opacity=".85"/><rect x="406" y="206" width="26" height="34" fill="{GLOW}"/>"##
            ),
            Self::Balloons => write!(
                svg,
                r##"<path d="M256 244c10 50-16 90 54 150M384 214c-10 60 20 110-64 180M320 170c6 80-10 140 0 224" stroke="#6b6258" stroke-width="3" fill="none"/><ellipse cx="256" cy="186" rx="58" ry="70" fill="{m}"/><ellipse cx="384" cy="158" rx="58" ry="70" fill="{s}"/><ellipse cx="320" cy="112" rx="52" ry="62" fill="{GLOW}"/><ellipse cx="236" cy="160" rx="12" ry="20" fill="#fff" opacity=".45"/><ellipse cx="364" cy="132" rx="12" ry="20" fill="#fff" opacity=".35"/>"##
            ),
            Self::Clock => write!(
                svg,
                r##"<path d="M250 386l-24 14M390 386l24 14" stroke="{s}" stroke-width="12" stroke-linecap="round"/><circle cx="242" cy="136" r="34" fill="{s}"/><circle cx="398" cy="136" r="34" fill="{s}"/><circle cx="320" cy="260" r="132" fill="{m}"/><circle cx="320" cy="260" r="106" fill="#fffdf7"/><path d="M320 260v-70M320 260l48 30" stroke="{INK}" stroke-width="10" stroke-linecap="round"/><circle cx="320" cy="260" r="9" fill="{s}"/>"##
            ),
            Self::Gift => write!(
                svg,
                r##"<rect x="212" y="234" width="216" height="164" fill="{m}"/><rect x="212" y="234" width="216" height="26" fill="{s}" opacity=".3"/><rect x="196" y="192" width="248" height="50" rx="6" fill="{s}"/><path d="M306 192h28v206h-28z" fill="{GLOW}"/><path d="M320 192c-30-56-92-40-64-8 14 14 44 10 64 8zM320 192c30-56 92-40 64-8-14 14-44 10-64 8z" fill="{GLOW}" stroke="#c98f1f" stroke-width="4"/>"##
            ),
            Self::Heart => write!(
                svg,
                r##"<path d="M320 392C186 316 160 240 190 184c30-54 104-50 130 6 26-56 100-60 130-6 30 56 4 132-130 208z" fill="{m}"/><path d="M320 392c134-76 160-152 130-208-12-22-30-36-50-40 50 40 40 150-80 248z" fill="{s}" opacity=".35"/><ellipse cx="240" cy="210" rx="22" ry="34" fill="#fff" opacity=".4" transform="rotate(-30 240 210)"/>"##
            ),
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn colours(list: &[&str]) -> Vec<String> {
        list.iter().map(|c| (*c).to_owned()).collect()
    }

    fn sample(stem: &str) -> String {
        product_svg(
            stem,
            "White Hanging Heart T-Light Holder",
            "candles-lights",
            &colours(&["White"]),
        )
    }

    /// Counts `<name ` / `<name>` openings against `</name>` closings and self-closings.
    fn assert_balanced(svg: &str, name: &str) {
        let mut open = 0usize;
        let mut closed = svg.matches(&format!("</{name}>")).count();
        for (at, _) in svg.match_indices(&format!("<{name}")) {
            let rest = &svg[at + name.len() + 1..];
            if rest.starts_with(' ') || rest.starts_with('>') {
                open += 1;
                let end = rest.find('>').unwrap_or(rest.len());
                if rest[..end].ends_with('/') {
                    closed += 1;
                }
            }
        }
        assert_eq!(open, closed, "<{name}> is not balanced in {svg}");
    }

    #[test]
    fn same_inputs_give_identical_bytes() {
        assert_eq!(sample("85123A"), sample("85123A"));
    }

    #[test]
    fn different_stems_give_different_pictures() {
        let stems = ["85123A", "85123B", "71053", "22752", "84029G", "21730"];
        for (i, a) in stems.iter().enumerate() {
            for b in &stems[i + 1..] {
                assert_ne!(sample(a), sample(b), "{a} and {b} drew the same picture");
            }
        }
    }

    #[test]
    fn hostile_text_cannot_break_out_of_the_markup() {
        let hostile = r#"<script>alert(1)</script> & "x" 'y'"#;
        let svg = product_svg("x", hostile, hostile, &colours(&[hostile]));
        assert!(!svg.contains("<script"));
        assert!(!svg.contains("\"x\""));
        assert!(!svg.contains("'y'"));
        assert!(svg.contains("&lt;script&gt;"));
        assert!(svg.contains("&amp; &quot;x&quot;"));
        // Every ampersand starts an entity this module writes.
        for (at, _) in svg.match_indices('&') {
            let rest = &svg[at..];
            assert!(
                ["&amp;", "&lt;", "&gt;", "&quot;", "&apos;"]
                    .iter()
                    .any(|e| rest.starts_with(e)),
                "bare ampersand at {at}"
            );
        }
        assert_eq!(svg.matches("<title>").count(), 1);
        assert_well_formed(&svg);
    }

    #[test]
    fn control_characters_are_dropped() {
        assert_eq!(escape_xml("a\u{0}b\u{1b}c\nd"), "abc d");
    }

    fn assert_well_formed(svg: &str) {
        assert!(svg.starts_with("<svg "), "{svg}");
        assert!(svg.ends_with("</svg>"), "{svg}");
        for name in [
            "svg",
            "title",
            "defs",
            "linearGradient",
            "text",
            "tspan",
            "g",
        ] {
            assert_balanced(svg, name);
        }
        assert_eq!(svg.matches('<').count(), svg.matches('>').count());
    }

    #[test]
    fn every_motif_is_well_formed_and_small() {
        for slug in [
            "christmas",
            "candles-lights",
            "bags",
            "kitchen",
            "jewellery",
            "frames",
            "garden",
            "cards-wrap",
            "toys",
            "clocks",
            "gift-boxes",
            "home-decor",
            "unheard-of",
        ] {
            let svg = product_svg(
                "85123A",
                "Set of 3 Cake Tins Pantry Design & Co",
                slug,
                &colours(&["Pink", "Red"]),
            );
            assert_well_formed(&svg);
            assert!(svg.contains(r#"viewBox="0 0 640 640""#));
            assert!(svg.contains(r#"role="img""#));
            assert!(svg.len() < 4096, "{slug}: {} bytes", svg.len());
        }
    }

    #[test]
    fn motif_follows_category_then_title() {
        assert_eq!(Motif::for_product("christmas-lights", ""), Motif::Tree);
        assert_eq!(Motif::for_product("candles-lights", ""), Motif::Candle);
        assert_eq!(Motif::for_product("misc", "Red Retrospot Mug"), Motif::Mug);
        assert_eq!(Motif::for_product("misc", "Something"), Motif::Heart);
        // Prefixes match whole words, not the inside of one ("heart" holds no "art").
        assert_eq!(Motif::for_product("sweetheart", ""), Motif::Heart);
    }

    #[test]
    fn first_recognised_colour_wins() {
        let svg = product_svg("a", "t", "x", &colours(&["Polkadot", "pale PINK", "red"]));
        assert!(svg.contains("#dd7f99"));
        assert!(!svg.contains("#c0392b"));
    }

    #[test]
    fn titles_wrap_onto_three_lines_at_most() {
        assert_eq!(
            wrap_title("White Hanging Heart T-Light Holder"),
            ["White Hanging", "Heart T-Light", "Holder"]
        );
        let long =
            wrap_title("Set of twelve assorted vintage Christmas paper chain kits with ribbons");
        assert_eq!(long.len(), MAX_LINES);
        assert!(long.iter().all(|l| l.chars().count() <= LINE_CHARS));
        assert!(long[2].ends_with('…'));
        assert_eq!(
            wrap_title("Supercalifragilisticexpialidocious"),
            ["Supercalifragilist", "icexpialidocious"]
        );
        assert!(wrap_title("   ").is_empty());
    }

    #[test]
    fn alt_text_names_the_product_and_category() {
        assert_eq!(
            product_image_alt(" Red Mug ", "Kitchen"),
            "Illustration of Red Mug, from Kitchen"
        );
        assert_eq!(product_image_alt("Red Mug", ""), "Illustration of Red Mug");
        let svg = product_svg("s", "Red Mug", "kitchen-dining", &[]);
        assert!(svg.contains("<title>Illustration of Red Mug, from Kitchen dining</title>"));
    }

    #[test]
    fn fnv1a_matches_reference_vectors() {
        assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a64(b"foobar"), 0x8594_4171_f739_67e8);
    }
}
