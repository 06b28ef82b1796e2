//! The category keyword table and the rule that puts every product in exactly one category.
//!
//! The table was tuned on the shipped December 2010 file and checked on the year-long sample
//! so that the catch-all "Gifts & Other" stays small (under 3% of products on both). This
//! module must never look at anything but a product's title: no prices, no sales, no variants.
//!
//! Matching: the title is lower-cased and cut into words (letters, digits, "'" and "-";
//! hyphenated words also count by their parts, so "T-Light" is "t-light", "t" and "light").
//! Christmas, the first row, wins outright: any title with one of its keywords is Christmas,
//! so the seasonal shelf holds every seasonal item. For the other rows every multi-word phrase
//! is tried first, in table order, then every single keyword, in table order; the first hit
//! wins. Phrases go first so that "hot water bottle" beats "bottle", "tea towel" beats "towel"
//! and "metal sign" beats "dinner". A title that matches nothing is "Gifts & Other".

use std::collections::BTreeSet;

use super::model::CategoryRecord;
use super::text::slugify;

/// One row of the keyword table.
pub(crate) struct Category {
    pub name: &'static str,
    pub description: &'static str,
    /// Comma-separated; a keyword with a space is a phrase of consecutive words.
    pub keywords: &'static str,
}

impl Category {
    pub(crate) fn keywords(&self) -> impl Iterator<Item = &'static str> {
        self.keywords
            .split(',')
            .map(str::trim)
            .filter(|k| !k.is_empty())
    }
}

/// The table, in storefront order. Keep "Gifts & Other" last and keyword-free.
pub(crate) const TABLE: [Category; 13] = [
    Category {
        name: "Christmas",
        description: "Decorations, baubles, stockings and gifts for the festive season.",
        keywords: "christmas, xmas, advent, santa, reindeer, snowflake, snowflakes, snowman, snowmen, \
            bauble, baubles, nativity, sleigh, noel, stocking, stockings, tinsel, nutcracker, \
            icicle, icicles, wreath, wreaths, holly, mistletoe, angel, angels",
    },
    Category {
        name: "Toys, Games & Crafts",
        description: "Soft toys, games, jigsaws and craft kits for children and grown-ups.",
        keywords: "toy, toys, game, games, jigsaw, jigsaws, puzzle, puzzles, doll, dolls, teddy, \
            playhouse, marbles, skittles, dominoes, bingo, ludo, chess, snakes, skipping, \
            spinning, yo-yo, helicopter, spaceship, glider, gliders, kite, kites, bubbles, \
            tattoos, crayons, colouring, paint, painting, modelling, knitting, sewing, stencil, \
            craft, crafts, feltcraft, patches, harmonica, frisbee, blocks, drawing, soft toy, \
            playing cards, flying disc, creepy crawlie, creepy crawlies, farm animal",
    },
    Category {
        name: "Candles & Lights",
        description: "Candles, T-light holders, lanterns and string lights.",
        keywords: "candle, candles, t-light, t-lights, tealight, tealights, lantern, lanterns, lamp, \
            lamps, lights, incense, votive, nightlight, candlestick, candlesticks, candlepot, \
            candleholder, candlestand, chandelier, led, matches, night light, fairy light, light \
            holder, disco ball, oil burner, light chain, bulb, lightbulb",
    },
    Category {
        name: "Bath & Bedroom",
        description: "Towels, washbags, hot water bottles and cosy things for the bedroom.",
        keywords: "bathroom, bath, soap, soaps, towel, towels, flannel, sponge, toilet, wc, washbag, \
            shower, toothbrush, hottie, slipper, slippers, sock, socks, pyjamas, balm, plasters, \
            basin, pouffe, quilt, blanket, throw, hot water bottle, hand warmer",
    },
    Category {
        name: "Jewellery & Accessories",
        description: "Necklaces, bracelets, earrings, hair accessories, umbrellas and parasols.",
        keywords: "necklace, necklaces, neckl, bracelet, bracelets, earrings, earring, ring, rings, \
            brooch, brooches, pendant, bangle, bangles, hair, hairclip, hairclips, hairslide, \
            hairband, comb, tiara, tiaras, umbrella, scarf, keyring, keyrings, choker, \
            jewellery, anklet, sunglasses, poncho, hat, headphones, key ring, key fob, ear muff, \
            phone charm, bag charm, passport cover, rain mac, parasol, parasols",
    },
    Category {
        name: "Stationery & Cards",
        description: "Greeting cards, notebooks, pens, stickers and desk things.",
        keywords: "card, cards, notebook, notebooks, notelets, pen, pens, pencil, pencils, stickers, \
            sticker, tape, tapes, stamp, stamps, envelope, envelopes, notepad, notepads, \
            journal, sketchbook, diary, calendar, eraser, erasers, rubber, rubbers, ruler, \
            sharpener, chalk, chalkboard, blackboard, memoboard, postcard, postcards, writing, \
            book, books, bookmark, magnet, magnets, memo, labels, clipboard, folder, origami, \
            stationery, scissor, scissors, paperweight, badges, tag, tags, album, albums, photo \
            album, cardholder",
    },
    Category {
        name: "Party & Gift Wrap",
        description: "Gift wrap, ribbons, tissue, bunting, garlands and party supplies.",
        keywords: "party, wrap, wraps, ribbon, ribbons, tissue, tissues, balloon, balloons, bunting, \
            confetti, garland, garlands, streamer, streamers, cracker, crackers, invitation, \
            invitations, invites, sweets, favour, favours, wrapping, pennant, \
            flags, lei, leis, gift bag, gift box, gift wrap, paper chain",
    },
    Category {
        name: "Garden & Outdoor",
        description: "Garden tools, planters, doormats, doorstops and things for outside.",
        keywords: "garden, gardening, gardeners, watering, plant, plants, planter, flowerpot, \
            birdhouse, feeder, seed, seeds, trowel, gnome, outdoor, hammock, windmill, chime, \
            chimes, doormat, doorstop, grow, sow, potting, shed, greenhouse, wellies, \
            wheelbarrow, windsock, beach, sandcastle, camping, deckchair, thermometer, fly swat, \
            herb marker",
    },
    Category {
        name: "Kitchen & Dining",
        description: "Mugs, plates, bowls, baking tins, tea sets and table linen.",
        keywords: "mug, mugs, cup, cups, saucer, saucers, teacup, teacups, plate, plates, bowl, bowls, \
            fruitbowl, cake, cakes, cakestand, cupcake, tin, tins, jar, jars, teapot, tea, \
            coffee, kitchen, baking, cutlery, spoon, spoons, ladle, fork, forks, knife, knives, \
            napkin, napkins, apron, aprons, oven, tray, trays, dish, dishes, jug, bottle, \
            bottles, lunch, breakfast, pantry, recipe, bread, biscuit, biscuits, cutter, \
            cutters, mould, moulds, tumbler, tumblers, glasses, straws, egg, eggs, cosy, toast, \
            toastrack, placemat, placemats, coaster, coasters, chopsticks, measuring, scales, \
            sugar, milk, milkshake, dinner, picnic, cases, doilies, doily, beaker, beakers, \
            flask, wine, champagne, aperitif, goblet, chalice, beer, pan, sandwich, food, \
            chocolate, jam, pudding, colander, sieve, grater, whisk, cookie, larder, popcorn, \
            cocktail, lolly, cheese, butter, honey, herbs, spice, platter, tablecloth, squeezer, \
            canister, cannister, cannisters, chopping, cooking, jelly, sundae, bib, tea towel, \
            tea towels, place setting, rolling pin, washing up, salt and pepper",
    },
    Category {
        name: "Bags & Storage",
        description: "Shopping bags, purses, boxes, baskets and cabinets to keep things in.",
        keywords: "bag, bags, jumbo, shopper, tote, basket, baskets, box, boxes, storage, hamper, case, \
            purse, purses, wallet, handbag, holdall, suitcase, luggage, trunk, crate, crates, \
            drawer, drawers, cabinet, chest, pouch, satchel, backpack, rucksack, container, \
            containers, pot, pots, bucket, buckets, bin, organiser, piggy bank, money box",
    },
    Category {
        name: "Clocks & Frames",
        description: "Wall and alarm clocks, photo frames and mirrors.",
        keywords: "clock, clocks, frame, frames, photoframe, alarm, picture, mirror, mirrors",
    },
    Category {
        name: "Home Decor",
        description: "Cushions, hanging decorations, signs, hooks and ornaments for the home.",
        keywords: "cushion, cushions, decoration, decorations, hanging, hanger, hangers, hook, hooks, \
            heart, hearts, vase, vases, ornament, ornaments, doorsign, sign, signs, knob, knobs, \
            drawerknob, tile, tiles, rug, curtain, wicker, coat, rack, shelf, wall, flower, \
            flowers, bell, bells, mobile, lampshade, trinket, stand, home, sweetheart, plaque, \
            feather, feathers, bookend, bookends, table, peg, pegs, holder, chair, stool, seat, \
            fan, fans, rosette, rose, roses, butterfly, butterflies, birdcage, bird, birds, \
            cloche, toadstool, mushroom, ashtray, dove, print, letters, metal sign, drawer knob, \
            door hanger, cushion cover",
    },
    Category {
        name: "Gifts & Other",
        description: "Curiosities and gifts that fit no other shelf.",
        keywords: "",
    },
];

/// The keyword table split once into phrases and words, to categorise many titles quickly.
pub(crate) struct Categoriser {
    rows: Vec<Row>,
}

struct Row {
    category: &'static Category,
    phrases: Vec<Vec<&'static str>>,
    words: BTreeSet<&'static str>,
}

impl Categoriser {
    pub(crate) fn new() -> Self {
        let rows = TABLE
            .iter()
            .map(|category| {
                let (phrases, words): (Vec<_>, Vec<_>) =
                    category.keywords().partition(|k| k.contains(' '));
                let phrases = phrases
                    .into_iter()
                    .map(|p| p.split(' ').collect())
                    .collect();
                Row {
                    category,
                    phrases,
                    words: words.into_iter().collect(),
                }
            })
            .collect();
        Self { rows }
    }

    /// The table row a product title belongs to (never fails: the last row catches everything).
    pub(crate) fn categorise(&self, title: &str) -> &'static Category {
        let words = title_words(title);
        let has_phrase = |row: &&Row| {
            row.phrases.iter().any(|phrase| {
                words
                    .windows(phrase.len())
                    .any(|window| window.iter().map(String::as_str).eq(phrase.iter().copied()))
            })
        };
        let has_word = |row: &&Row| {
            words.iter().any(|w| {
                row.words.contains(w.as_str()) || w.split('-').any(|part| row.words.contains(part))
            })
        };
        let (seasonal, rest) = self.rows.split_at(1);
        seasonal
            .iter()
            .find(|row| has_phrase(row) || has_word(row))
            .or_else(|| rest.iter().find(has_phrase))
            .or_else(|| rest.iter().find(has_word))
            .map_or(&TABLE[TABLE.len() - 1], |row| row.category)
    }
}

/// The catalogue record of a table row.
pub(crate) fn record(category: &Category) -> CategoryRecord {
    let index = TABLE
        .iter()
        .position(|row| row.name == category.name)
        .unwrap_or(TABLE.len() - 1);
    CategoryRecord {
        slug: slugify(category.name),
        name: category.name.to_string(),
        description: category.description.to_string(),
        position: i64::try_from(index).map_or(i64::MAX, |i| i + 1),
    }
}

/// Lower-case words of a title: letters, digits, "'" and "-", trimmed of "'" and "-".
fn title_words(title: &str) -> Vec<String> {
    title
        .to_lowercase()
        .split(|c: char| !(c.is_alphanumeric() || c == '-' || c == '\''))
        .map(|w| w.trim_matches(|c| c == '-' || c == '\''))
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name_of(title: &str) -> &'static str {
        Categoriser::new().categorise(title).name
    }

    #[test]
    fn titles_land_in_the_expected_category() {
        assert_eq!(
            name_of("White Hanging Heart T-Light Holder"),
            "Candles & Lights"
        );
        assert_eq!(name_of("Christmas Decoupage Candle"), "Christmas");
        assert_eq!(name_of("Scottie Dog Hot Water Bottle"), "Bath & Bedroom");
        assert_eq!(
            name_of("Set/2 Red Retrospot Tea Towels"),
            "Kitchen & Dining"
        );
        assert_eq!(name_of("Jumbo Bag Red Retrospot"), "Bags & Storage");
        assert_eq!(name_of("Party Metal Sign"), "Home Decor");
        assert_eq!(name_of("Blue Owl Soft Toy"), "Toys, Games & Crafts");
        assert_eq!(name_of("Sombrero"), "Gifts & Other");
    }

    #[test]
    fn the_table_is_well_formed() {
        assert!(TABLE.len() >= 11 && TABLE.len() <= 15);
        assert_eq!(TABLE[TABLE.len() - 1].name, "Gifts & Other");
        assert_eq!(TABLE[TABLE.len() - 1].keywords().count(), 0);
        for category in &TABLE {
            assert!(category.description.ends_with('.'), "{}", category.name);
            for keyword in category.keywords() {
                assert_eq!(keyword, keyword.to_lowercase(), "{keyword}");
                assert!(!keyword.contains("  "), "{keyword:?}");
            }
        }
        let mut slugs: Vec<_> = TABLE.iter().map(|c| slugify(c.name)).collect();
        slugs.sort();
        slugs.dedup();
        assert_eq!(slugs.len(), TABLE.len());
    }

    #[test]
    fn records_carry_slug_and_one_based_position() {
        let first = record(&TABLE[0]);
        assert_eq!((first.slug.as_str(), first.position), ("christmas", 1));
        let last = record(&TABLE[TABLE.len() - 1]);
        assert_eq!((last.slug.as_str(), last.position), ("gifts-other", 13));
    }
}
