//! HMDA Loan/Application Register records as leads.
//!
//! Two formats are read: the public CSV of 2011 (a header row, comma-separated, each
//! coded column beside its label) and the pipe-delimited filing format used since 2018
//! (record type 1 is the transmittal sheet, type 2 a loan with 110 fields). Every record
//! is checked before anything is written; the import is one transaction.

use chrono::NaiveDate;

/// One application, whichever format it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct HmdaRecord {
    /// The line the record is on, from 1.
    pub line: usize,
    /// The record's key, kept as the lead's external id.
    pub key: String,
    pub action_taken: u8,
    pub loan_type: u8,
    pub loan_purpose: u8,
    pub amount_cents: i64,
    /// Applicant income in thousands of dollars.
    pub income_thousands: Option<i64>,
    /// Denial reason codes 1 to 9 (10, "not applicable", is dropped).
    pub denial_reasons: Vec<u8>,
    pub location: Location,
    pub application_date: Option<NaiveDate>,
    pub action_date: Option<NaiveDate>,
    /// The year the record was reported for.
    pub year: Option<i32>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Location {
    pub street: Option<String>,
    pub city: Option<String>,
    pub state: Option<String>,
    pub zip: Option<String>,
    pub county: Option<String>,
    pub census_tract: Option<String>,
}

/// A record that cannot be imported, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Rejected {
    pub line: usize,
    pub reason: String,
}

/// The records of a file: the good ones and the rejected ones.
#[derive(Debug, Default)]
pub struct Parsed {
    pub records: Vec<HmdaRecord>,
    pub rejected: Vec<Rejected>,
}

/// Reads either format, telling them apart by the first line.
pub fn parse(text: &str) -> Parsed {
    let first = text.lines().next().unwrap_or("");
    if first.contains("action_taken") && first.contains(',') {
        parse_2011(text)
    } else {
        parse_filing(text)
    }
}

fn field(value: Option<&str>) -> Option<String> {
    value
        .map(str::trim)
        .filter(|v| !v.is_empty() && !v.eq_ignore_ascii_case("NA") && *v != "Exempt")
        .map(str::to_string)
}

fn code(name: &str, value: Option<&str>, allowed: &[u8]) -> Result<u8, String> {
    let raw = value.map(str::trim).unwrap_or("");
    let parsed: u8 = raw
        .parse()
        .map_err(|_| format!("{name} '{raw}' is not a number"))?;
    if allowed.contains(&parsed) {
        Ok(parsed)
    } else {
        Err(format!("{name} {parsed} is not a valid code"))
    }
}

fn denial_reasons(values: &[Option<&str>]) -> Result<Vec<u8>, String> {
    let mut reasons = Vec::new();
    for value in values {
        let Some(raw) = field(*value) else { continue };
        let parsed: u8 = raw
            .parse()
            .map_err(|_| format!("denial reason '{raw}' is not a number"))?;
        match parsed {
            1..=9 => reasons.push(parsed),
            10 => {}
            _ => return Err(format!("denial reason {parsed} is not a valid code")),
        }
    }
    Ok(reasons)
}

fn income(value: Option<&str>) -> Result<Option<i64>, String> {
    match field(value) {
        None => Ok(None),
        Some(raw) => raw
            .parse::<i64>()
            .map(Some)
            .map_err(|_| format!("income '{raw}' is not a whole number")),
    }
}

fn date(name: &str, value: Option<&str>) -> Result<Option<NaiveDate>, String> {
    match field(value) {
        None => Ok(None),
        Some(raw) => NaiveDate::parse_from_str(&raw, "%Y%m%d")
            .map(Some)
            .map_err(|_| format!("{name} '{raw}' is not a date (YYYYMMDD)")),
    }
}

const ACTIONS: &[u8] = &[1, 2, 3, 4, 5, 6, 7, 8];
const LOAN_TYPES: &[u8] = &[1, 2, 3, 4];

fn parse_2011(text: &str) -> Parsed {
    let mut parsed = Parsed::default();
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers = match reader.headers() {
        Ok(headers) => headers.clone(),
        Err(error) => {
            parsed.rejected.push(Rejected {
                line: 1,
                reason: format!("the header cannot be read: {error}"),
            });
            return parsed;
        }
    };
    let column = |name: &str| headers.iter().position(|h| h.trim() == name);
    let required = [
        "action_taken",
        "agency_code",
        "respondent_id",
        "sequence_number",
        "loan_type",
        "loan_purpose",
        "loan_amount_000s",
    ];
    let missing: Vec<&str> = required
        .iter()
        .copied()
        .filter(|n| column(n).is_none())
        .collect();
    if !missing.is_empty() {
        parsed.rejected.push(Rejected {
            line: 1,
            reason: format!("the header lacks {}", missing.join(", ")),
        });
        return parsed;
    }
    for (index, row) in reader.records().enumerate() {
        let line = index + 2;
        let row = match row {
            Ok(row) if row.len() == headers.len() => row,
            Ok(row) => {
                parsed.rejected.push(Rejected {
                    line,
                    reason: format!(
                        "has {} columns where the header has {}",
                        row.len(),
                        headers.len()
                    ),
                });
                continue;
            }
            Err(error) => {
                parsed.rejected.push(Rejected {
                    line,
                    reason: format!("cannot be read: {error}"),
                });
                continue;
            }
        };
        let get = |name: &str| column(name).and_then(|i| row.get(i));
        match record_2011(line, &get) {
            Ok(record) => parsed.records.push(record),
            Err(reason) => parsed.rejected.push(Rejected { line, reason }),
        }
    }
    parsed
}

fn record_2011<'a>(
    line: usize,
    get: &impl Fn(&str) -> Option<&'a str>,
) -> Result<HmdaRecord, String> {
    let respondent = field(get("respondent_id")).ok_or("respondent_id is empty")?;
    let agency = field(get("agency_code")).ok_or("agency_code is empty")?;
    let sequence = field(get("sequence_number")).ok_or("sequence_number is empty")?;
    let amount_raw = field(get("loan_amount_000s")).ok_or("loan_amount_000s is empty")?;
    let thousands: i64 = amount_raw
        .parse()
        .map_err(|_| format!("loan_amount_000s '{amount_raw}' is not a whole number"))?;
    if thousands <= 0 {
        return Err("loan_amount_000s must be positive".into());
    }
    Ok(HmdaRecord {
        line,
        key: format!(
            "hmda-{}-{agency}-{respondent}-{sequence}",
            get("as_of_year").unwrap_or("2011")
        ),
        action_taken: code("action_taken", get("action_taken"), ACTIONS)?,
        loan_type: code("loan_type", get("loan_type"), LOAN_TYPES)?,
        loan_purpose: code("loan_purpose", get("loan_purpose"), &[1, 2, 3])?,
        amount_cents: thousands * 100_000,
        income_thousands: income(get("applicant_income_000s"))?,
        denial_reasons: denial_reasons(&[
            get("denial_reason_1"),
            get("denial_reason_2"),
            get("denial_reason_3"),
        ])?,
        location: Location {
            state: field(get("state_abbr")),
            county: field(get("county_name")),
            census_tract: field(get("census_tract_number")),
            ..Location::default()
        },
        application_date: None,
        action_date: None,
        year: field(get("as_of_year")).and_then(|y| y.parse().ok()),
    })
}

/// Number of fields of a loan record in the filing format.
const FILING_FIELDS: usize = 110;

fn parse_filing(text: &str) -> Parsed {
    let mut parsed = Parsed::default();
    for (index, raw) in text.lines().enumerate() {
        let line = index + 1;
        let raw = raw.trim_end_matches('\r');
        if raw.trim().is_empty() {
            continue;
        }
        let fields: Vec<&str> = raw.split('|').collect();
        match fields[0].trim() {
            "1" => continue,
            "2" if fields.len() == FILING_FIELDS => match record_filing(line, &fields) {
                Ok(record) => parsed.records.push(record),
                Err(reason) => parsed.rejected.push(Rejected { line, reason }),
            },
            "2" => parsed.rejected.push(Rejected {
                line,
                reason: format!(
                    "has {} fields where a loan record has {FILING_FIELDS}",
                    fields.len()
                ),
            }),
            other => parsed.rejected.push(Rejected {
                line,
                reason: format!("record type '{other}' is neither 1 nor 2"),
            }),
        }
    }
    parsed
}

fn record_filing(line: usize, fields: &[&str]) -> Result<HmdaRecord, String> {
    // Field numbers in the specification count from 1.
    let get = |number: usize| fields.get(number - 1).copied();
    let uli = field(get(3)).ok_or("the ULI (field 3) is empty")?;
    if uli.len() < 23 || uli.len() > 45 || !uli.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(format!(
            "the ULI '{uli}' must be 23 to 45 letters and digits"
        ));
    }
    let amount_raw = field(get(10)).ok_or("the loan amount (field 10) is empty")?;
    let dollars: f64 = amount_raw
        .parse()
        .map_err(|_| format!("the loan amount '{amount_raw}' is not a number"))?;
    if !(dollars > 0.0 && dollars < 1e11) {
        return Err("the loan amount must be positive".into());
    }
    Ok(HmdaRecord {
        line,
        key: format!("uli-{uli}"),
        action_taken: code("action taken (field 11)", get(11), ACTIONS)?,
        loan_type: code("loan type (field 5)", get(5), LOAN_TYPES)?,
        loan_purpose: code("loan purpose (field 6)", get(6), &[1, 2, 31, 32, 4, 5])?,
        amount_cents: (dollars * 100.0).round() as i64,
        income_thousands: income(get(57))?,
        denial_reasons: denial_reasons(&[get(68), get(69), get(70), get(71)])?,
        location: Location {
            street: field(get(13)),
            city: field(get(14)),
            state: field(get(15)),
            zip: field(get(16)),
            county: field(get(17)),
            census_tract: field(get(18)),
        },
        application_date: date("the application date (field 4)", get(4))?,
        action_date: date("the action date (field 12)", get(12))?,
        year: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SLICE: &str = include_str!("../../fixtures/hmda_lar_2011_AK_public_slice.csv");

    #[test]
    fn the_2011_slice_reads_without_rejections() {
        let parsed = parse(SLICE);

        assert_eq!(parsed.rejected, []);
        assert_eq!(parsed.records.len(), 100);
        let originated = parsed
            .records
            .iter()
            .filter(|r| r.action_taken == 1)
            .count();
        assert_eq!(originated, 68);
    }

    #[test]
    fn a_filing_record_with_too_few_fields_is_rejected_with_its_line() {
        let parsed = parse("1|Ficus Bank|2018\n2|LEI|ULI\n");

        assert_eq!(parsed.records, []);
        assert_eq!(parsed.rejected.len(), 1);
        assert_eq!(parsed.rejected[0].line, 2);
    }
}
