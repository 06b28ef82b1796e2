//! Tests of the whole import, over the shipped data files and small hand-written ones, plus the
//! helpers the other modules' tests share.
//!
//! Test-only code: it must never be compiled into the server.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::*;

/// The header of the UCI export.
pub(super) const HEADER: &str =
    "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country";

/// Imports a file made of `HEADER` and `rows` with the default options.
pub(super) fn import(rows: &[&str]) -> ImportedCatalogue {
    let text = format!("{HEADER}\n{}\n", rows.join("\n"));
    parse_catalogue(text.as_bytes(), &ImportOptions::default()).expect("test file imports")
}

/// The non-product codes of the data README, written out again so that the test does not
/// trust the parser's own list.
const NON_PRODUCT: &str = "POST|DOT|M|BANK CHARGES|AMAZONFEE|C2|D|CRUK|PADS|S|B";

fn is_non_product(code: &str) -> bool {
    NON_PRODUCT.split('|').any(|listed| listed == code) || code.starts_with("GIFT_")
}

const DECEMBER: (&str, &str) = (
    "online_retail_dec2010",
    "online_retail_2010-12-01_to_2010-12-20.csv",
);
const YEAR_SAMPLE: (&str, &str) = ("online_retail_sample20k", "online_retail_sample.csv");

/// Finds a shipped data file in `$VITRINE_RETAIL_DATA`, the repository's `data/seed` or
/// `data/fixtures`, or the shared data folder it was copied from. Missing data fails loudly.
fn data_file((folder, name): (&str, &str)) -> PathBuf {
    let repository = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let from_env = std::env::var_os("VITRINE_RETAIL_DATA").map(PathBuf::from);
    let folders = from_env.into_iter().chain([
        repository.join("data/seed"),
        repository.join("data/fixtures"),
        Path::new("/work/shared/data").join(folder),
    ]);
    let found = folders
        .map(|dir| dir.join(name))
        .find(|path| path.is_file());
    found.unwrap_or_else(|| panic!("{name} not found; set VITRINE_RETAIL_DATA to its folder"))
}

fn import_file(path: &Path) -> ImportedCatalogue {
    let bytes = std::fs::read(path).expect("data file reads");
    parse_catalogue(bytes.as_slice(), &ImportOptions::default()).expect("data file imports")
}

/// The stems of sellable codes, computed straight from the CSV without the parser's code:
/// priced sale lines of a product code that has a description on some priced line.
fn independent_stems(path: &Path) -> BTreeSet<String> {
    let mut reader = csv::Reader::from_path(path).expect("csv opens");
    let (mut sold, mut described) = (BTreeSet::new(), BTreeSet::new());
    for record in reader.records() {
        let record = record.expect("csv row");
        let code = record[1].trim().to_uppercase();
        let quantity: i64 = record[3].trim().parse().expect("whole quantity");
        let priced = !record[5].trim().trim_matches(['0', '.']).is_empty();
        let cancellation = record[0].starts_with('C');
        if is_non_product(&code) || !priced || quantity == 0 || cancellation != (quantity < 0) {
            continue;
        }
        if !record[2].trim().is_empty() {
            described.insert(code.clone());
        }
        if !cancellation {
            sold.insert(code);
        }
    }
    let stem = |code: &String| {
        let digits = code.trim_end_matches(|c: char| c.is_ascii_alphabetic());
        let numeric = !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit());
        if numeric {
            digits.to_string()
        } else {
            code.clone()
        }
    };
    sold.iter()
        .filter(|code| described.contains(*code))
        .map(stem)
        .collect()
}

#[test]
fn the_shipped_december_file_imports_cleanly() {
    let path = data_file(DECEMBER);
    let catalogue = import_file(&path);
    assert_eq!(catalogue.report.data_lines, 39_529);
    assert_eq!(catalogue.report.malformed, []);
    assert_eq!(catalogue.products.len(), independent_stems(&path).len());
    let categories: BTreeSet<_> = catalogue
        .categories
        .iter()
        .map(|c| c.slug.as_str())
        .collect();
    for product in &catalogue.products {
        assert!(!product.variants.is_empty(), "{}", product.stem);
        assert!(
            categories.contains(product.category_slug.as_str()),
            "{}",
            product.stem
        );
        assert!(!is_non_product(&product.stem), "{}", product.stem);
        for variant in &product.variants {
            assert!(!is_non_product(&variant.sku), "{}", variant.sku);
            assert!(variant.price_minor > 0, "{}", variant.sku);
            assert!(variant.cost_minor < variant.price_minor, "{}", variant.sku);
            assert!(
                variant.stock >= 0 && variant.units_sold >= 0,
                "{}",
                variant.sku
            );
        }
    }
    let other = catalogue
        .products
        .iter()
        .filter(|p| p.category_slug == "gifts-other")
        .count();
    assert!(
        other * 5 < catalogue.products.len(),
        "{other} products in Gifts & Other"
    );
    let slugs: BTreeSet<_> = catalogue.products.iter().map(|p| p.slug.as_str()).collect();
    assert_eq!(
        slugs.len(),
        catalogue.products.len(),
        "product slugs are unique"
    );
    let heart = catalogue
        .products
        .iter()
        .find(|p| p.stem == "85123")
        .expect("best seller");
    assert_eq!(heart.title, "White Hanging Heart T-Light Holder");
    assert_eq!(heart.category_slug, "candles-lights");
    let orders_ok = catalogue
        .orders
        .iter()
        .all(|o| o.lines.iter().all(|l| l.quantity > 0));
    assert!(orders_ok && catalogue.orders.iter().all(|o| !o.lines.is_empty()));
}

#[test]
fn the_year_sample_with_iso_dates_and_na_customers_imports() {
    let path = data_file(YEAR_SAMPLE);
    let catalogue = import_file(&path);
    assert_eq!(catalogue.report.data_lines, 20_000);
    assert_eq!(catalogue.report.malformed, []);
    assert_eq!(catalogue.products.len(), independent_stems(&path).len());
    let key = |o: &OrderRecord| (o.placed_at, o.number.clone());
    assert!(
        catalogue
            .orders
            .windows(2)
            .all(|pair| key(&pair[0]) <= key(&pair[1]))
    );
}

#[test]
fn the_same_bytes_give_the_same_catalogue() {
    let path = data_file(DECEMBER);
    assert_eq!(
        format!("{:?}", import_file(&path)),
        format!("{:?}", import_file(&path))
    );
}

#[test]
fn a_file_with_nothing_importable_is_rejected() {
    let text = format!("{HEADER}\n536365,POST,POSTAGE,1,01/12/2010 08:26,18.00,12583,France\n");
    let error =
        parse_catalogue(text.as_bytes(), &ImportOptions::default()).expect_err("nothing to import");
    let ImportError::NoImportableLines {
        data_lines,
        skipped,
    } = &error
    else {
        panic!("{error:?}")
    };
    assert_eq!((*data_lines, skipped.values().sum::<usize>()), (1, 1));
    assert!(
        error.to_string().contains("none of the 1 data lines"),
        "{error}"
    );
}

#[test]
fn an_empty_file_names_every_missing_column() {
    let error = parse_catalogue(&b""[..], &ImportOptions::default()).expect_err("no header");
    let ImportError::Header { missing, .. } = &error else {
        panic!("{error:?}")
    };
    assert_eq!(missing.len(), 8);
}

#[test]
fn categories_are_only_those_in_use_in_table_order() {
    let catalogue = import(&[
        "536365,22633,HAND WARMER UNION JACK,6,01/12/2010 08:26,1.85,,UK",
        "536365,22086,PAPER CHAIN KIT 50'S CHRISTMAS,6,01/12/2010 08:26,2.55,,UK",
    ]);
    let names: Vec<_> = catalogue
        .categories
        .iter()
        .map(|c| (c.position, c.name.as_str()))
        .collect();
    assert_eq!(names, [(1, "Christmas"), (4, "Bath & Bedroom")]);
}
