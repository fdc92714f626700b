//! Money as whole cents, so that no amount is ever rounded by floating point.

use serde::{Deserialize, Serialize};

/// A non-negative amount of US dollars, held as cents. On the wire it is a JSON number
/// of dollars with at most two decimals (`12500.5`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Money(i64);

impl Money {
    /// The largest amount accepted: one hundred billion dollars.
    pub const MAX_CENTS: i64 = 10_000_000_000_000;

    pub fn from_cents(cents: i64) -> Result<Self, &'static str> {
        if cents < 0 {
            return Err("must not be negative");
        }
        if cents > Self::MAX_CENTS {
            return Err("must be at most 100000000000");
        }
        Ok(Self(cents))
    }

    pub fn from_dollars(dollars: f64) -> Result<Self, &'static str> {
        if !dollars.is_finite() {
            return Err("must be a number");
        }
        let exact = dollars * 100.0;
        let cents = exact.round();
        // Allow only the error of the binary representation itself (a few units in the
        // last place), so that 5000.129 is refused while 12345678901.23 is accepted.
        let tolerance = (cents.abs() * 4.0 * f64::EPSILON).max(1e-9);
        if (cents - exact).abs() > tolerance {
            return Err("must have at most two decimals");
        }
        if cents > Self::MAX_CENTS as f64 {
            return Err("must be at most 100000000000");
        }
        // The range check above keeps the value well inside i64.
        Self::from_cents(cents as i64)
    }

    pub fn cents(self) -> i64 {
        self.0
    }

    pub fn dollars(self) -> f64 {
        self.0 as f64 / 100.0
    }
}

impl Serialize for Money {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_f64(self.dollars())
    }
}

impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let dollars = f64::deserialize(deserializer)?;
        Self::from_dollars(dollars).map_err(serde::de::Error::custom)
    }
}

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for Money {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::Number)
            .minimum(Some(0.0))
            .description(Some("US dollars, at most two decimals"))
            .examples([serde_json::json!(12500.0)])
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for Money {}

#[cfg(test)]
mod tests {
    use super::Money;

    #[test]
    fn dollars_become_exact_cents() {
        assert_eq!(
            Money::from_dollars(12500.35).map(Money::cents),
            Ok(1_250_035)
        );
        assert_eq!(Money::from_dollars(0.1 + 0.2).map(Money::cents), Ok(30));
    }

    #[test]
    fn fractions_of_a_cent_and_negatives_are_refused() {
        assert!(Money::from_dollars(10.005).is_err());
        assert!(Money::from_dollars(5000.129).is_err());
        assert_eq!(
            Money::from_dollars(12_345_678_901.23).map(Money::cents),
            Ok(1_234_567_890_123)
        );
        assert!(Money::from_dollars(-1.0).is_err());
        assert!(Money::from_dollars(f64::NAN).is_err());
        assert!(Money::from_dollars(1e12).is_err());
    }
}
