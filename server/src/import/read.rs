//! Reading the CSV: the header check, one typed `Line` per well-formed row, and the
//! malformed-line threshold that rejects a damaged file.
//!
//! This module only decides whether a row can be read. It must never judge whether a readable
//! row is a product sale (that is `skips.rs`), and never group, price or total anything.

use std::io::Read;

use super::fields::{parse_customer_id, parse_invoice_date, parse_price_minor, parse_quantity};
use super::model::{ImportError, ImportOptions, MalformedLine, REQUIRED_COLUMNS};
use super::text::normalise_description;

/// Largest quantity a line may carry; more is a typo, and it keeps every total far from overflow.
const MAX_QUANTITY: i64 = 1_000_000_000;

/// One well-formed data row, with its stock code uppercased and description normalised.
#[derive(Debug, Clone)]
pub(crate) struct Line {
    /// 1-based physical line number; the header is line 1.
    pub line_no: usize,
    pub invoice: String,
    pub sku: String,
    /// May be empty.
    pub description: String,
    /// As in the file: negative on cancellations.
    pub quantity: i64,
    pub placed_at: i64,
    pub price_minor: i64,
    pub customer_id: Option<i64>,
    pub country: String,
}

impl Line {
    pub(crate) fn is_cancellation(&self) -> bool {
        self.invoice.starts_with(['C', 'c'])
    }
}

/// The well-formed lines of a file that passed the header and malformed-line checks.
#[derive(Debug)]
pub(crate) struct ReadFile {
    pub lines: Vec<Line>,
    pub data_lines: usize,
    pub malformed: Vec<MalformedLine>,
}

/// Reads and checks a whole file.
///
/// # Errors
/// A header without exactly the eight UCI columns, a non-UTF-8 line, broken CSV, an I/O error,
/// or more malformed lines than `opts.max_malformed_ratio` of the data lines.
pub(crate) fn read_lines<R: Read>(
    reader: R,
    opts: &ImportOptions,
) -> Result<ReadFile, ImportError> {
    let mut csv = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(reader);
    let mut record = csv::ByteRecord::new();
    let columns = if next_record(&mut csv, &mut record)? {
        columns(&record)?
    } else {
        columns(&csv::ByteRecord::new())?
    };
    let mut file = ReadFile {
        lines: Vec::new(),
        data_lines: 0,
        malformed: Vec::new(),
    };
    while next_record(&mut csv, &mut record)? {
        let line_no = line_number(record.position());
        file.data_lines += 1;
        let fields = utf8_fields(&record, line_no)?;
        match parse_line(&fields, &columns, line_no) {
            Ok(line) => file.lines.push(line),
            Err(reason) => file.malformed.push(MalformedLine {
                line: line_no,
                reason,
            }),
        }
    }
    // `max` turns a NaN ratio into 0.0: an unusable setting tolerates nothing.
    let allowed = opts.max_malformed_ratio.max(0.0) * file.data_lines as f64;
    if file.malformed.len() as f64 > allowed {
        return Err(ImportError::TooManyMalformed {
            malformed: file.malformed,
            data_lines: file.data_lines,
            max_ratio: opts.max_malformed_ratio,
        });
    }
    Ok(file)
}

fn next_record<R: Read>(
    csv: &mut csv::Reader<R>,
    record: &mut csv::ByteRecord,
) -> Result<bool, ImportError> {
    csv.read_byte_record(record).map_err(|error| {
        let (line, message) = (line_number(error.position()), error.to_string());
        match error.into_kind() {
            csv::ErrorKind::Io(io) => ImportError::Io(io),
            _ => ImportError::Csv { line, message },
        }
    })
}

/// The 1-based physical line of a csv position (0 if csv could not say).
fn line_number(position: Option<&csv::Position>) -> usize {
    position.map_or(0, |p| usize::try_from(p.line()).unwrap_or(usize::MAX))
}

fn utf8_fields(record: &csv::ByteRecord, line: usize) -> Result<Vec<&str>, ImportError> {
    record
        .iter()
        .map(|field| std::str::from_utf8(field).map_err(|_| ImportError::NotUtf8 { line }))
        .collect()
}

/// Where each required column sits, in `REQUIRED_COLUMNS` order, plus the header's width.
struct Columns {
    index: [usize; 8],
    width: usize,
}

fn columns(header: &csv::ByteRecord) -> Result<Columns, ImportError> {
    let names = utf8_fields(header, 1)?;
    let clean = |name: &str| name.trim_start_matches('\u{feff}').trim().to_string();
    let mut index = [usize::MAX; 8];
    let mut unknown = Vec::new();
    for (position, name) in names.iter().map(|n| clean(n)).enumerate() {
        match REQUIRED_COLUMNS
            .iter()
            .position(|required| required.eq_ignore_ascii_case(&name))
        {
            Some(slot) if index[slot] == usize::MAX => index[slot] = position,
            Some(_) => unknown.push(format!("{name} (repeated)")),
            None => unknown.push(if name.is_empty() {
                "(blank)".to_string()
            } else {
                name
            }),
        }
    }
    let missing: Vec<String> = REQUIRED_COLUMNS
        .iter()
        .zip(index)
        .filter(|(_, i)| *i == usize::MAX)
        .map(|(n, _)| (*n).to_string())
        .collect();
    if missing.is_empty() && unknown.is_empty() {
        Ok(Columns {
            index,
            width: names.len(),
        })
    } else {
        Err(ImportError::Header { missing, unknown })
    }
}

/// Parses one row, or says in a sentence why it is malformed.
fn parse_line(fields: &[&str], columns: &Columns, line_no: usize) -> Result<Line, String> {
    if fields.len() != columns.width {
        return Err(format!(
            "expected {} fields, found {}",
            columns.width,
            fields.len()
        ));
    }
    let field = |slot: usize| fields[columns.index[slot]].trim();
    let (invoice, sku, quantity, date, price, customer) =
        (field(0), field(1), field(3), field(4), field(5), field(6));
    if invoice.is_empty() {
        return Err("empty invoice number".into());
    }
    if sku.is_empty() {
        return Err("empty stock code".into());
    }
    Ok(Line {
        line_no,
        invoice: invoice.to_string(),
        sku: sku.to_uppercase(),
        description: normalise_description(field(2)),
        quantity: parse_quantity(quantity)
            .filter(|q| q.abs() <= MAX_QUANTITY)
            .ok_or_else(|| {
                format!("quantity {quantity:?} is not a whole number up to a billion")
            })?,
        placed_at: parse_invoice_date(date).ok_or_else(|| {
            format!("invoice date {date:?} is not a valid date (DD/MM/YYYY HH:MM)")
        })?,
        price_minor: parse_price_minor(price)
            .ok_or_else(|| format!("unit price {price:?} is not an amount in pounds like 2.55"))?,
        customer_id: parse_customer_id(customer)
            .map_err(|()| format!("customer id {customer:?} is not a whole number"))?,
        country: field(7).to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::super::tests::HEADER;
    use super::*;

    const GOOD: &str =
        "536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,01/12/2010 08:26,2.55,17850,UK";
    const BAD: &str =
        "536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,six,01/12/2010 08:26,2.55,,UK";

    /// A file of `rows` data rows where the rows at the `bad` indexes have quantity "six".
    fn read(rows: usize, bad: &[usize]) -> Result<ReadFile, ImportError> {
        let body: Vec<&str> = (0..rows)
            .map(|i| if bad.contains(&i) { BAD } else { GOOD })
            .collect();
        let text = format!("{HEADER}\n{}", body.join("\n"));
        read_lines(text.as_bytes(), &ImportOptions::default())
    }

    #[test]
    fn one_bad_line_in_two_hundred_passes_and_is_reported() {
        let file = read(200, &[41]).expect("1 in 200 is tolerated");
        assert_eq!((file.data_lines, file.lines.len()), (200, 199));
        // Row 41 (0-based) is physical line 43: the header is line 1 and row 0 is line 2.
        let reason = "quantity \"six\" is not a whole number up to a billion".to_string();
        assert_eq!(file.malformed, [MalformedLine { line: 43, reason }]);
    }

    #[test]
    fn exactly_the_allowed_ratio_passes_and_one_more_line_rejects() {
        assert!(read(200, &[0, 1]).is_ok(), "2 of 200 is exactly 1%");
        assert!(read(200, &[0, 1, 2]).is_err(), "3 of 200 exceeds 1%");
    }

    #[test]
    fn many_bad_lines_reject_the_file_and_name_the_lines() {
        let bad: Vec<usize> = (0..200).step_by(10).collect();
        let error = read(200, &bad).expect_err("20 in 200 is too many");
        let ImportError::TooManyMalformed {
            malformed,
            data_lines,
            ..
        } = &error
        else {
            panic!("{error:?}")
        };
        assert_eq!((malformed.len(), *data_lines), (20, 200));
        let text = error.to_string();
        assert!(
            text.contains("line 2: quantity") && text.contains("line 192: quantity"),
            "{text}"
        );
    }

    #[test]
    fn each_kind_of_malformed_line_is_named() {
        let rows = [
            "536365,85123A,HEART,6,01/12/2010 08:26,2.55,17850",
            "536365,,HEART,6,01/12/2010 08:26,2.55,17850,UK",
            "536365,85123A,HEART,6,31/11/2010 08:26,2.55,17850,UK",
            "536365,85123A,HEART,6,01/12/2010 08:26,£2.55,17850,UK",
            "536365,85123A,HEART,6,01/12/2010 08:26,2.55,17850.5,UK",
            ",85123A,HEART,6,01/12/2010 08:26,2.55,17850,UK",
        ];
        let text = format!("{HEADER}\n{}", rows.join("\n"));
        let opts = ImportOptions {
            max_malformed_ratio: 1.0,
        };
        let file = read_lines(text.as_bytes(), &opts).expect("ratio 1.0 tolerates everything");
        let reasons: Vec<_> = file
            .malformed
            .iter()
            .map(|m| (m.line, m.reason.as_str()))
            .collect();
        assert_eq!(
            reasons,
            [
                (2, "expected 8 fields, found 7"),
                (3, "empty stock code"),
                (
                    4,
                    "invoice date \"31/11/2010 08:26\" is not a valid date (DD/MM/YYYY HH:MM)"
                ),
                (
                    5,
                    "unit price \"£2.55\" is not an amount in pounds like 2.55"
                ),
                (6, "customer id \"17850.5\" is not a whole number"),
                (7, "empty invoice number"),
            ]
        );
    }

    #[test]
    fn a_missing_header_column_is_rejected_by_name() {
        let header = HEADER.replace("UnitPrice", "Price");
        let text = format!("{header}\n1,2,3,4,5,6,7,8");
        let error = read_lines(text.as_bytes(), &ImportOptions::default()).expect_err("bad header");
        let ImportError::Header { missing, unknown } = &error else {
            panic!("{error:?}")
        };
        assert_eq!(
            (missing.as_slice(), unknown.as_slice()),
            (&["UnitPrice".into()][..], &["Price".into()][..])
        );
    }

    #[test]
    fn columns_may_come_in_any_order_and_a_bom_is_ignored() {
        let text = "\u{feff}Country,CustomerID,UnitPrice,InvoiceDate,Quantity,Description,StockCode,InvoiceNo\n\
                    UK,17850,2.55,01/12/2010 08:26,6,HEART,85123a,536365";
        let file =
            read_lines(text.as_bytes(), &ImportOptions::default()).expect("reordered header");
        assert_eq!(
            (file.lines[0].sku.as_str(), file.lines[0].price_minor),
            ("85123A", 255)
        );
    }

    #[test]
    fn latin1_bytes_are_rejected_with_their_line() {
        let mut bytes = format!("{HEADER}\n{GOOD}\n").into_bytes();
        bytes
            .extend_from_slice(b"536366,22633,HAND WARMER \xa3,6,01/12/2010 08:28,1.85,17850,UK\n");
        let error = read_lines(bytes.as_slice(), &ImportOptions::default()).expect_err("not UTF-8");
        assert!(
            matches!(error, ImportError::NotUtf8 { line: 3 }),
            "{error:?}"
        );
    }
}
