//! Text rules: cleaning a description, turning the shop's upper-case descriptions into readable
//! titles, slugs, and the colour words used for facets.
//!
//! Everything here is a pure function of its input string. It must never consult other lines,
//! invent words, or expand the data's abbreviations ("ASSTD", "HLDR" stay as written, only
//! re-cased): a title says what the description says.

/// Words kept lower-case inside a title (never as the first word).
const SMALL_WORDS: [&str; 11] = [
    "a", "an", "and", "of", "in", "on", "with", "for", "the", "to", "or",
];

/// Words kept upper-case. "XMAS" is deliberately absent: it is a word ("Xmas"), not initials.
const ACRONYMS: [&str; 9] = ["LED", "UK", "USA", "DIY", "TV", "CD", "DVD", "USB", "3D"];

/// Colour words for facets, with the spelling they are reported under.
const COLOURS: [(&str, &str); 28] = [
    ("AMBER", "amber"),
    ("AQUA", "aqua"),
    ("BEIGE", "beige"),
    ("BLACK", "black"),
    ("BLUE", "blue"),
    ("BRONZE", "bronze"),
    ("BROWN", "brown"),
    ("COPPER", "copper"),
    ("CREAM", "cream"),
    ("FUCHSIA", "fuchsia"),
    ("FUSCHIA", "fuchsia"),
    ("GOLD", "gold"),
    ("GRAY", "grey"),
    ("GREEN", "green"),
    ("GREY", "grey"),
    ("IVORY", "ivory"),
    ("LILAC", "lilac"),
    ("NATURAL", "natural"),
    ("NAVY", "navy"),
    ("ORANGE", "orange"),
    ("PINK", "pink"),
    ("PURPLE", "purple"),
    ("RED", "red"),
    ("SILVER", "silver"),
    ("TEAL", "teal"),
    ("TURQUOISE", "turquoise"),
    ("WHITE", "white"),
    ("YELLOW", "yellow"),
];

/// Trims a description and collapses runs of whitespace into one space.
pub(crate) fn normalise_description(raw: &str) -> String {
    raw.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A readable title from an upper-case description.
///
/// Words are capitalised and the rest lower-cased; hyphen, slash and dot parts are capitalised
/// too ("T-Light", "M.O.P"); letters after a digit or an apostrophe stay lower ("45x45cm",
/// "Children's"); the small words a, an, and, of, in, on, with, for, the, to, or are lower-case
/// unless first; LED, UK, USA, DIY, TV, CD, DVD, USB and 3D stay upper-case, "XMAS" becomes
/// "Xmas". "+" and "&" get a space on each side ("Charlie + Lola"), commas one space after,
/// paired double quotes a space outside; leading "*" and trailing punctuation are dropped.
pub fn readable_title(description: &str) -> String {
    let spaced = space_out_quotes(&space_out_symbols(description));
    let trimmed = spaced
        .trim_start_matches(|c: char| c == '*' || c.is_whitespace())
        .trim_end_matches(|c: char| ".,;:-/+&".contains(c) || c.is_whitespace());
    trimmed
        .split_whitespace()
        .enumerate()
        .map(|(index, word)| title_word(word, index == 0))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Puts spaces around "+" and "&" and after commas, never before a comma.
fn space_out_symbols(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '+' | '&' => {
                out.push(' ');
                out.push(c);
                out.push(' ');
            }
            ',' => {
                out.truncate(out.trim_end().len());
                out.push_str(", ");
            }
            _ => out.push(c),
        }
    }
    out
}

/// When double quotes come in pairs, keeps the quoted words apart from their neighbours:
/// `LOLA"EXTREMELY BUSY"` -> `LOLA "EXTREMELY BUSY"`. Odd quotes are inch marks and stay put.
fn space_out_quotes(text: &str) -> String {
    if !text.matches('"').count().is_multiple_of(2) {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len() + 4);
    let mut opening = true;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '"' {
            out.push(c);
            continue;
        }
        if opening && !out.is_empty() && !out.ends_with(' ') {
            out.push(' ');
        }
        out.push(c);
        if !opening && chars.peek().is_some_and(|next| !next.is_whitespace()) {
            out.push(' ');
        }
        opening = !opening;
    }
    out
}

fn title_word(word: &str, first: bool) -> String {
    let upper = word.to_uppercase();
    if ACRONYMS.contains(&upper.as_str()) {
        return upper;
    }
    let lower = word.to_lowercase();
    if !first && SMALL_WORDS.contains(&lower.as_str()) {
        return lower;
    }
    let mut out = String::with_capacity(lower.len());
    let (mut previous, mut before_previous): (Option<char>, Option<char>) = (None, None);
    for c in lower.chars() {
        // An apostrophe inside a word ("children's", "50's") does not start a new part; one
        // opening a word ("'n'") does.
        let starts_part = match previous {
            None => true,
            Some('\'' | '\u{2019}') => !before_previous.is_some_and(char::is_alphanumeric),
            Some(p) => !p.is_alphanumeric(),
        };
        if starts_part && c.is_alphabetic() {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
        (before_previous, previous) = (previous, Some(c));
    }
    out
}

/// A URL slug: ASCII lower-case letters and digits, every other run of characters one "-",
/// no leading or trailing "-". Apostrophes vanish ("Children's" -> "childrens"); accented
/// Latin letters fold to ASCII ("é" -> "e", "ß" -> "ss"); other non-ASCII letters are dropped.
pub fn slugify(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_dash = false;
    for c in s.chars() {
        let folded = fold_letter(c);
        if let Some(ascii) = folded {
            if pending_dash && !out.is_empty() {
                out.push('-');
            }
            pending_dash = false;
            out.push_str(&ascii.to_ascii_lowercase());
        } else if c == '\'' || c == '\u{2019}' || (c.is_alphabetic() && !c.is_ascii()) {
            continue;
        } else {
            pending_dash = true;
        }
    }
    out
}

/// The ASCII spelling of a letter or digit, or `None` for anything else.
fn fold_letter(c: char) -> Option<String> {
    if c.is_ascii_alphanumeric() {
        return Some(c.to_string());
    }
    let lower = c.to_lowercase().next().unwrap_or(c);
    let ascii = match lower {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' => "a",
        'ç' | 'ć' | 'č' => "c",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ę' => "e",
        'ì' | 'í' | 'î' | 'ï' => "i",
        'ñ' | 'ń' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' => "o",
        'ù' | 'ú' | 'û' | 'ü' => "u",
        'ý' | 'ÿ' => "y",
        'š' | 'ś' => "s",
        'ž' | 'ź' | 'ż' => "z",
        'ł' => "l",
        'ß' => "ss",
        'æ' => "ae",
        'œ' => "oe",
        _ => return None,
    };
    Some(ascii.to_string())
}

/// The colour words of a description, lower-case, in description order (may repeat).
pub(crate) fn colours_in(description: &str) -> Vec<&'static str> {
    description
        .split(|c: char| !c.is_alphanumeric())
        .filter_map(|word| {
            let upper = word.to_uppercase();
            COLOURS
                .iter()
                .find(|(name, _)| *name == upper)
                .map(|(_, colour)| *colour)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_from_upper_case_descriptions() {
        let cases = [
            (
                "WHITE HANGING HEART T-LIGHT HOLDER",
                "White Hanging Heart T-Light Holder",
            ),
            (
                "SET OF 3 CAKE TINS PANTRY DESIGN ",
                "Set of 3 Cake Tins Pantry Design",
            ),
            ("CHARLIE+LOLA COASTER SET", "Charlie + Lola Coaster Set"),
            (
                "CHARLIE & LOLA WASTEPAPER BIN BLUE",
                "Charlie & Lola Wastepaper Bin Blue",
            ),
            (
                "RED WOOLLY HOTTIE WHITE HEART.",
                "Red Woolly Hottie White Heart",
            ),
            (
                "GREETING CARD, OVERCROWDED POOL.",
                "Greeting Card, Overcrowded Pool",
            ),
            (
                "DECORATION , WOBBLY RABBIT , METAL",
                "Decoration, Wobbly Rabbit, Metal",
            ),
            ("ELEPHANT, BIRTHDAY CARD,", "Elephant, Birthday Card"),
            (
                "CHILDREN'S CIRCUS PARADE MUG",
                "Children's Circus Parade Mug",
            ),
            (
                "POLYESTER FILLER PAD 45x45cm",
                "Polyester Filler Pad 45x45cm",
            ),
            (
                "3 TRADITIONAl BISCUIT CUTTERS  SET",
                "3 Traditional Biscuit Cutters Set",
            ),
            ("A PRETTY THANK YOU CARD", "A Pretty Thank You Card"),
            ("GOLD M.O.P ORBIT BRACELET", "Gold M.O.P Orbit Bracelet"),
            (
                "RED TOADSTOOL LED NIGHT LIGHT",
                "Red Toadstool LED Night Light",
            ),
            ("3D SHEET OF DOG STICKERS", "3D Sheet of Dog Stickers"),
            ("XMAS DECORATION", "Xmas Decoration"),
            ("*USB Office Mirror Ball", "USB Office Mirror Ball"),
            (
                "CHARLIE+LOLA\"EXTREMELY BUSY\" SIGN",
                "Charlie + Lola \"Extremely Busy\" Sign",
            ),
            (
                "RECORD FRAME 7\" SINGLE SIZE",
                "Record Frame 7\" Single Size",
            ),
            (
                "POTTING SHED SOW 'N' GROW SET",
                "Potting Shed Sow 'N' Grow Set",
            ),
            ("HAND WARMER UK FLAG", "Hand Warmer UK Flag"),
        ];
        for (description, title) in cases {
            assert_eq!(readable_title(description), title, "{description:?}");
        }
    }

    #[test]
    fn slugs() {
        let cases = [
            (
                "White Hanging Heart T-Light Holder",
                "white-hanging-heart-t-light-holder",
            ),
            ("Charlie + Lola Coaster Set", "charlie-lola-coaster-set"),
            (
                "Children's Circus Parade Mug",
                "childrens-circus-parade-mug",
            ),
            ("  --Crème Brûlée!! ", "creme-brulee"),
            ("Straße", "strasse"),
            ("Gift Voucher £40.00", "gift-voucher-40-00"),
            ("日本 Tea", "tea"),
            ("Kitchen & Dining", "kitchen-dining"),
            ("", ""),
        ];
        for (text, slug) in cases {
            assert_eq!(slugify(text), slug, "{text:?}");
        }
    }

    #[test]
    fn colours_are_whole_words() {
        assert_eq!(colours_in("RED/WHITE POLKADOT UMBRELLA"), ["red", "white"]);
        assert_eq!(colours_in("GRAY GOLDEN REDCURRANT"), ["grey"]);
        assert_eq!(colours_in("FUSCHIA VOILE POINTY SHOE DEC"), ["fuchsia"]);
    }

    #[test]
    fn descriptions_are_trimmed_and_collapsed() {
        assert_eq!(
            normalise_description("  WHITE  SKULL HOT WATER BOTTLE "),
            "WHITE SKULL HOT WATER BOTTLE"
        );
    }
}
