//! Social security and individual taxpayer identification numbers.

/// A nine-digit SSN or ITIN. It never implements `Display` or `Serialize`: the only
/// ways out are [`Ssn::digits`] for encryption, [`Ssn::masked`] for display, and
/// [`Ssn::revealed`] for the recorded reveal to a permitted user.
#[derive(Clone, PartialEq, Eq)]
pub struct Ssn(String);

impl Ssn {
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        let digits: String = raw.chars().filter(|c| *c != '-' && *c != ' ').collect();
        if digits.len() != 9 || !digits.chars().all(|c| c.is_ascii_digit()) {
            return Err("must be nine digits, as 123-45-6789");
        }
        let (area, rest) = digits.split_at(3);
        let (group, serial) = rest.split_at(2);
        if area == "000" || area == "666" || group == "00" || serial == "0000" {
            return Err("is not a number the SSA or IRS issues");
        }
        // Numbers starting with 9 are ITINs, whose middle digits fall in set ranges.
        let middle: u8 = group.parse().unwrap_or(0);
        let itin = matches!(middle, 50..=65 | 70..=88 | 90..=92 | 94..=99);
        if area.starts_with('9') && !itin {
            return Err("is not a number the SSA or IRS issues");
        }
        Ok(Self(digits))
    }

    pub fn digits(&self) -> &str {
        &self.0
    }

    pub fn last4(&self) -> &str {
        &self.0[5..]
    }

    /// The whole number as `123-45-6789`.
    pub fn revealed(&self) -> String {
        format!("{}-{}-{}", &self.0[..3], &self.0[3..5], &self.0[5..])
    }

    /// The number as staff see it without the `pii.reveal` permission.
    pub fn masked(&self) -> String {
        mask_last4(self.last4())
    }
}

/// `***-**-1234` from the last four digits.
pub fn mask_last4(last4: &str) -> String {
    format!("***-**-{last4}")
}

impl std::fmt::Debug for Ssn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Ssn({})", self.masked())
    }
}

#[cfg(test)]
mod tests {
    use super::Ssn;

    #[test]
    fn dashes_are_accepted_and_only_the_last_four_show() {
        let ssn = Ssn::parse("123-45-6789").map(|s| (s.masked(), format!("{s:?}")));

        assert_eq!(
            ssn,
            Ok(("***-**-6789".to_string(), "Ssn(***-**-6789)".to_string()))
        );
    }

    #[test]
    fn an_itin_in_its_ranges_is_accepted() {
        assert!(Ssn::parse("912-70-1234").is_ok());
        assert!(Ssn::parse("912-66-1234").is_err());
    }

    #[test]
    fn numbers_never_issued_are_refused() {
        for raw in [
            "000-12-3456",
            "666-12-3456",
            "123-00-4567",
            "123-45-0000",
            "12345678",
            "abc",
        ] {
            assert!(Ssn::parse(raw).is_err(), "{raw} was accepted");
        }
    }
}
