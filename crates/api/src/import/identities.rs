//! Fictitious people to pair with HMDA records, which carry no names: the Febrl
//! synthetic identities (BSD-3-Clause; see `fixtures/SOURCES.md`).

use chrono::NaiveDate;
use leads_domain::wire::Address;

#[derive(Debug, Clone, PartialEq)]
pub struct Identity {
    pub name: String,
    pub email: String,
    pub date_of_birth: Option<NaiveDate>,
    pub address: Option<Address>,
}

/// Capitalises every word: "wynnum west" becomes "Wynnum West".
fn title_case(text: &str) -> String {
    text.split(' ')
        .map(|word| {
            let mut chars = word.chars();
            match chars.next() {
                Some(first) => first.to_uppercase().chain(chars).collect(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The original (not corrupted-duplicate) records with a given name and a surname.
pub fn parse_febrl(text: &str) -> Vec<Identity> {
    let mut identities = Vec::new();
    for line in text.lines().skip(1) {
        let cells: Vec<&str> = line.split(',').map(str::trim).collect();
        if cells.len() < 11 || !cells[0].ends_with("-org") {
            continue;
        }
        let (given, surname) = (cells[1], cells[2]);
        if given.is_empty() || surname.is_empty() {
            continue;
        }
        let name = format!("{} {}", title_case(given), title_case(surname));
        let email = format!(
            "{}.{}.{}@example.org",
            given,
            surname,
            cells[0].trim_start_matches("rec-").trim_end_matches("-org")
        )
        .replace(' ', "");
        let street = [cells[3], cells[4]].join(" ").trim().to_string();
        let address = (!street.is_empty() && !cells[6].is_empty()).then(|| Address {
            line1: title_case(&street),
            line2: (!cells[5].is_empty()).then(|| title_case(cells[5])),
            city: title_case(cells[6]),
            state: cells[8].to_uppercase(),
            postal_code: cells[7].to_string(),
            country: Some("AU".into()),
        });
        identities.push(Identity {
            name,
            email,
            date_of_birth: NaiveDate::parse_from_str(cells[9], "%Y%m%d").ok(),
            address,
        });
    }
    identities
}

#[cfg(test)]
mod tests {
    const FEBRL: &str = include_str!("../../fixtures/febrl_synthetic_identities_dataset1.csv");

    #[test]
    fn originals_with_full_names_become_identities() {
        let people = super::parse_febrl(FEBRL);

        assert!(people.len() > 400, "only {} identities", people.len());
        assert!(people.iter().all(|p| p.email.ends_with("@example.org")));
        assert!(people.iter().all(|p| !p.name.trim().is_empty()));
    }
}
