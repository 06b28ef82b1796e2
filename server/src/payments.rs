//! Taking payment: the [`PaymentProvider`] trait a real payment service plugs into, and the
//! built-in [`TestProvider`], which moves no money.
//!
//! The test provider decides by card number, so tests and demos can exercise every outcome:
//!
//! | card number | outcome |
//! |---|---|
//! | 4242 4242 4242 4242 | authorised |
//! | 4000 0000 0000 0002 | declined ("Your card was declined.") |
//! | 4000 0000 0000 0119 | transient failure ("try again") |
//! | any other valid number | declined: the test provider knows only these |
//!
//! Card numbers are checked (Luhn, length, expiry, CVC) before any provider sees them, and are
//! never stored or logged: only the provider's reference and the last four digits are kept.

use vitrine::money::Money;

/// What a shopper typed on the payment step.
#[derive(Clone)]
pub struct CardDetails {
    number: String,
    pub exp_month: u32,
    pub exp_year: u32,
}

/// Deliberately not Debug-printing the number.
impl std::fmt::Debug for CardDetails {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CardDetails(…{})", self.last4())
    }
}

impl CardDetails {
    /// Parses the payment form; `today` is (year, month) of the server's clock.
    pub fn parse(number: &str, expiry: &str, cvc: &str, today: (u32, u32)) -> Result<Self, String> {
        let number: String = number
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect();
        if !(12..=19).contains(&number.len())
            || !number.bytes().all(|b| b.is_ascii_digit())
            || !luhn_ok(&number)
        {
            return Err("That card number isn't valid: check the digits.".into());
        }
        let (month, year) = expiry
            .trim()
            .split_once('/')
            .and_then(|(m, y)| Some((m.trim().parse::<u32>().ok()?, y.trim().parse::<u32>().ok()?)))
            .filter(|(m, _)| (1..=12).contains(m))
            .ok_or_else(|| "Enter the expiry date as MM/YY, for example 04/29.".to_string())?;
        let year = if year < 100 { 2000 + year } else { year };
        if (year, month) < today {
            return Err("That card has expired.".into());
        }
        let cvc = cvc.trim();
        if !(3..=4).contains(&cvc.len()) || !cvc.bytes().all(|b| b.is_ascii_digit()) {
            return Err("The security code is the 3 or 4 digits on the back of the card.".into());
        }
        Ok(CardDetails {
            number,
            exp_month: month,
            exp_year: year,
        })
    }

    pub fn last4(&self) -> &str {
        &self.number[self.number.len().saturating_sub(4)..]
    }
}

/// A provider's record of money set aside for an order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Authorization {
    pub provider: &'static str,
    pub reference: String,
    pub amount: Money,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PaymentError {
    #[error("Your card was declined. No money was taken; try another card.")]
    Declined,
    #[error("The payment service didn't answer. No money was taken; please try again.")]
    Transient,
}

/// Where a real payment service plugs in. `authorize` sets money aside, `void` releases it
/// (an order that could not be placed after all). The idempotency key makes a retried
/// authorisation return the first one instead of charging twice.
#[async_trait::async_trait]
pub trait PaymentProvider: Send + Sync + 'static {
    fn name(&self) -> &'static str;
    async fn authorize(
        &self,
        card: &CardDetails,
        amount: Money,
        idempotency_key: &str,
    ) -> Result<Authorization, PaymentError>;
    async fn void(&self, authorization: &Authorization) -> Result<(), PaymentError>;
}

/// The built-in provider for tests and demos: moves no money. See the module table.
#[derive(Clone, Copy, Debug, Default)]
pub struct TestProvider;

pub const TEST_CARD_OK: &str = "4242424242424242";
pub const TEST_CARD_DECLINED: &str = "4000000000000002";
pub const TEST_CARD_TRANSIENT: &str = "4000000000000119";

#[async_trait::async_trait]
impl PaymentProvider for TestProvider {
    fn name(&self) -> &'static str {
        "test"
    }

    async fn authorize(
        &self,
        card: &CardDetails,
        amount: Money,
        idempotency_key: &str,
    ) -> Result<Authorization, PaymentError> {
        match card.number.as_str() {
            TEST_CARD_OK => Ok(Authorization {
                provider: self.name(),
                // Derived from the key, so a retry gets the same authorisation.
                reference: format!("test_auth_{idempotency_key}"),
                amount,
            }),
            TEST_CARD_TRANSIENT => Err(PaymentError::Transient),
            _ => Err(PaymentError::Declined),
        }
    }

    async fn void(&self, _authorization: &Authorization) -> Result<(), PaymentError> {
        Ok(())
    }
}

/// The Luhn checksum every card number carries.
fn luhn_ok(digits: &str) -> bool {
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 1 {
                if d * 2 > 9 { d * 2 - 9 } else { d * 2 }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

#[cfg(test)]
mod tests {
    use super::*;
    use vitrine::money::Currency;

    const TODAY: (u32, u32) = (2026, 11);

    fn card(number: &str) -> CardDetails {
        CardDetails::parse(number, "12/30", "123", TODAY).expect("valid card")
    }

    #[test]
    fn the_documented_cards_parse_and_others_are_checked() {
        assert_eq!(card("4242 4242 4242 4242").last4(), "4242");
        card(TEST_CARD_DECLINED);
        card(TEST_CARD_TRANSIENT);
        assert!(
            CardDetails::parse("4242 4242 4242 4241", "12/30", "123", TODAY)
                .expect_err("luhn")
                .contains("isn't valid")
        );
        assert!(CardDetails::parse("abcd", "12/30", "123", TODAY).is_err());
        assert!(
            CardDetails::parse(TEST_CARD_OK, "10/26", "123", TODAY)
                .expect_err("expired")
                .contains("expired")
        );
        assert!(
            CardDetails::parse(TEST_CARD_OK, "11/26", "123", TODAY).is_ok(),
            "valid through its month"
        );
        assert!(
            CardDetails::parse(TEST_CARD_OK, "13/30", "123", TODAY)
                .expect_err("month")
                .contains("MM/YY")
        );
        assert!(
            CardDetails::parse(TEST_CARD_OK, "12/30", "12", TODAY)
                .expect_err("cvc")
                .contains("security code")
        );
    }

    #[test]
    fn card_numbers_never_appear_in_debug_output() {
        let shown = format!("{:?}", card(TEST_CARD_OK));
        assert!(!shown.contains("424242424242"), "{shown}");
    }

    #[tokio::test]
    async fn the_test_provider_follows_its_table() {
        let p = TestProvider;
        let amount = Money::new(1234, Currency::Gbp);
        let auth = p
            .authorize(&card(TEST_CARD_OK), amount, "k1")
            .await
            .expect("authorised");
        assert_eq!(
            (auth.amount, auth.reference.as_str()),
            (amount, "test_auth_k1")
        );
        assert_eq!(
            p.authorize(&card(TEST_CARD_OK), amount, "k1").await,
            Ok(auth),
            "idempotent"
        );
        assert_eq!(
            p.authorize(&card(TEST_CARD_DECLINED), amount, "k2").await,
            Err(PaymentError::Declined)
        );
        assert_eq!(
            p.authorize(&card(TEST_CARD_TRANSIENT), amount, "k3").await,
            Err(PaymentError::Transient)
        );
        assert_eq!(
            p.authorize(&card("4111111111111111"), amount, "k4").await,
            Err(PaymentError::Declined)
        );
    }
}
