//! The leads table's query: its parameters as they arrive, and the checked filter
//! the database layer runs.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use serde::{Deserialize, Serialize};

use crate::problem::{FieldError, FieldErrors};
use crate::status::{CatalogKind, Channel, LeadStatus};

/// Largest page the leads table serves.
pub const MAX_PAGE: i64 = 200;
/// Page size when none is asked for.
pub const DEFAULT_PAGE: i64 = 50;
/// Totals are counted exactly up to this many matches, and reported as a lower bound beyond.
pub const EXACT_TOTAL_CAP: i64 = 10_000;
/// Longest search text accepted.
pub const MAX_SEARCH_LEN: usize = 200;

/// The leads table's query parameters, unchecked.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams, utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct LeadQuery {
    /// Comma-separated statuses; `unsubmitted` means `in_progress`.
    pub status: Option<String>,
    /// `registered` (the default), `unregistered` or `all`.
    pub borrower: Option<String>,
    /// `product` or `service`.
    pub kind: Option<String>,
    /// Comma-separated catalog item slugs.
    pub item: Option<String>,
    /// A staff user id, `me` or `none`.
    pub assignee: Option<String>,
    /// Comma-separated channels.
    pub channel: Option<String>,
    /// Created at or after this time (RFC 3339) or day (`YYYY-MM-DD`).
    pub created_from: Option<String>,
    /// Created at or before this time, or on or before this day.
    pub created_to: Option<String>,
    /// Updated at or after this time or day.
    pub updated_from: Option<String>,
    /// Updated at or before this time, or on or before this day.
    pub updated_to: Option<String>,
    /// `exclude` (the default), `include` or `only`.
    pub archived: Option<String>,
    /// Case-insensitive search of name, email, phone and reference.
    pub q: Option<String>,
    /// `created_at`, `updated_at`, `name` or `amount`; prefix `-` for descending.
    /// The default is `-updated_at`.
    pub sort: Option<String>,
    /// Page size, 1 to 200; 50 by default.
    pub limit: Option<i64>,
    /// The `next_cursor` or `prev_cursor` of the page shown.
    pub cursor: Option<String>,
}

/// Which borrowers' leads to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BorrowerFilter {
    Registered,
    Unregistered,
    All,
}

/// Whether archived leads are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArchivedFilter {
    Exclude,
    Include,
    Only,
}

/// Whose leads to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssigneeFilter {
    User(i64),
    Me,
    Nobody,
}

/// The column a page is ordered by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    CreatedAt,
    UpdatedAt,
    Name,
    Amount,
    /// When the application was submitted; leads never submitted come last.
    SubmittedAt,
    /// Since when the applicant has owed an answer; leads owing none come last.
    WaitingSince,
}

/// An order of the leads table; ties are broken by the lead id in the same direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sort {
    pub key: SortKey,
    pub descending: bool,
}

impl Sort {
    pub fn parse(text: &str) -> Result<Self, &'static str> {
        let (descending, name) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let key = match name {
            "created_at" => SortKey::CreatedAt,
            "updated_at" => SortKey::UpdatedAt,
            "name" => SortKey::Name,
            "amount" => SortKey::Amount,
            "submitted_at" => SortKey::SubmittedAt,
            "waiting_since" => SortKey::WaitingSince,
            _ => return Err("must be created_at, updated_at, name, amount, submitted_at or waiting_since, optionally with -"),
        };
        Ok(Self { key, descending })
    }

    pub fn as_string(self) -> String {
        let name = match self.key {
            SortKey::CreatedAt => "created_at",
            SortKey::UpdatedAt => "updated_at",
            SortKey::Name => "name",
            SortKey::Amount => "amount",
            SortKey::SubmittedAt => "submitted_at",
            SortKey::WaitingSince => "waiting_since",
        };
        if self.descending {
            format!("-{name}")
        } else {
            name.to_string()
        }
    }
}

impl Default for Sort {
    fn default() -> Self {
        Self {
            key: SortKey::UpdatedAt,
            descending: true,
        }
    }
}

/// A checked leads-table query.
#[derive(Debug, Clone, PartialEq)]
pub struct LeadFilter {
    pub statuses: Vec<LeadStatus>,
    pub borrower: BorrowerFilter,
    pub kind: Option<CatalogKind>,
    pub items: Vec<String>,
    pub assignee: Option<AssigneeFilter>,
    pub channels: Vec<Channel>,
    pub created_from: Option<DateTime<Utc>>,
    pub created_to: Option<DateTime<Utc>>,
    pub updated_from: Option<DateTime<Utc>>,
    pub updated_to: Option<DateTime<Utc>>,
    pub archived: ArchivedFilter,
    /// Lower-cased search text.
    pub search: Option<String>,
    pub sort: Sort,
    pub limit: i64,
    pub cursor: Option<String>,
}

impl LeadQuery {
    /// Checks every parameter and reports all that are wrong at once.
    pub fn parse(&self) -> Result<LeadFilter, Vec<FieldError>> {
        let mut errors = FieldErrors::new();

        let statuses = list(&self.status, "status", &mut errors, |s| match s {
            "unsubmitted" => Some(LeadStatus::InProgress),
            other => LeadStatus::parse(other),
        });
        let channels = list(&self.channel, "channel", &mut errors, Channel::parse);
        let items = list(&self.item, "item", &mut errors, |s| {
            valid_slug(s).then(|| s.to_string())
        });

        let borrower = match self.borrower.as_deref() {
            None | Some("registered") => BorrowerFilter::Registered,
            Some("unregistered") => BorrowerFilter::Unregistered,
            Some("all") => BorrowerFilter::All,
            Some(_) => {
                errors.add("borrower", "must be registered, unregistered or all");
                BorrowerFilter::Registered
            }
        };
        let archived = match self.archived.as_deref() {
            None | Some("exclude") => ArchivedFilter::Exclude,
            Some("include") => ArchivedFilter::Include,
            Some("only") => ArchivedFilter::Only,
            Some(_) => {
                errors.add("archived", "must be exclude, include or only");
                ArchivedFilter::Exclude
            }
        };
        let kind = self.kind.as_deref().and_then(|k| {
            let parsed = CatalogKind::parse(k);
            if parsed.is_none() {
                errors.add("kind", "must be product or service");
            }
            parsed
        });
        let assignee = self.assignee.as_deref().and_then(|a| match a {
            "me" => Some(AssigneeFilter::Me),
            "none" => Some(AssigneeFilter::Nobody),
            id => match id.parse::<i64>() {
                Ok(id) if id > 0 => Some(AssigneeFilter::User(id)),
                _ => {
                    errors.add("assignee", "must be a user id, me or none");
                    None
                }
            },
        });

        let created_from = bound(&self.created_from, "created_from", Edge::Start, &mut errors);
        let created_to = bound(&self.created_to, "created_to", Edge::End, &mut errors);
        let updated_from = bound(&self.updated_from, "updated_from", Edge::Start, &mut errors);
        let updated_to = bound(&self.updated_to, "updated_to", Edge::End, &mut errors);

        let search = self.q.as_deref().map(str::trim).filter(|q| !q.is_empty());
        if let Some(q) = search {
            if let Err(reason) = crate::text::clean_line(q, MAX_SEARCH_LEN) {
                errors.add("q", reason);
            }
        }
        let sort = match self.sort.as_deref() {
            None => Sort::default(),
            Some(text) => errors.check("sort", Sort::parse(text)).unwrap_or_default(),
        };
        let limit = self.limit.unwrap_or(DEFAULT_PAGE);
        if !(1..=MAX_PAGE).contains(&limit) {
            errors.add("limit", "must be between 1 and 200");
        }

        errors.into_result()?;
        Ok(LeadFilter {
            statuses,
            borrower,
            kind,
            items,
            assignee,
            channels,
            created_from,
            created_to,
            updated_from,
            updated_to,
            archived,
            search: search.map(str::to_lowercase),
            sort,
            limit,
            cursor: self.cursor.clone().filter(|c| !c.is_empty()),
        })
    }
}

/// Slugs are lower-case letters, digits and dashes.
pub fn valid_slug(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= 64
        && text
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

fn list<T>(
    raw: &Option<String>,
    field: &str,
    errors: &mut FieldErrors,
    parse: impl Fn(&str) -> Option<T>,
) -> Vec<T> {
    let Some(raw) = raw else { return Vec::new() };
    let mut values = Vec::new();
    for part in raw.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        match parse(part) {
            Some(value) => values.push(value),
            None => errors.add(field, format!("'{part}' is not a known value")),
        }
    }
    values
}

#[derive(Clone, Copy)]
enum Edge {
    Start,
    End,
}

/// A time bound: an RFC 3339 instant, or a whole day (the start of the day for a lower
/// bound, its last instant for an upper one).
fn bound(
    raw: &Option<String>,
    field: &str,
    edge: Edge,
    errors: &mut FieldErrors,
) -> Option<DateTime<Utc>> {
    let raw = raw.as_deref()?.trim();
    if let Ok(at) = DateTime::parse_from_rfc3339(raw) {
        return Some(at.with_timezone(&Utc));
    }
    if let Ok(day) = NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
        let time = match edge {
            Edge::Start => NaiveTime::MIN,
            Edge::End => {
                NaiveTime::from_hms_micro_opt(23, 59, 59, 999_999).unwrap_or(NaiveTime::MIN)
            }
        };
        return Some(day.and_time(time).and_utc());
    }
    errors.add(field, "must be an RFC 3339 time or a date (YYYY-MM-DD)");
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_query_shows_registered_leads_newest_first() -> Result<(), Vec<FieldError>> {
        let filter = LeadQuery::default().parse()?;

        assert_eq!(filter.borrower, BorrowerFilter::Registered);
        assert_eq!(filter.archived, ArchivedFilter::Exclude);
        assert_eq!(filter.sort, Sort::default());
        assert_eq!(filter.limit, DEFAULT_PAGE);
        Ok(())
    }

    #[test]
    fn unsubmitted_means_in_progress() -> Result<(), Vec<FieldError>> {
        let query = LeadQuery {
            status: Some("unsubmitted,declined".into()),
            ..LeadQuery::default()
        };

        let filter = query.parse()?;

        assert_eq!(
            filter.statuses,
            vec![LeadStatus::InProgress, LeadStatus::Declined]
        );
        Ok(())
    }

    #[test]
    fn a_day_as_upper_bound_includes_the_whole_day() -> Result<(), Vec<FieldError>> {
        let query = LeadQuery {
            created_to: Some("2026-03-01".into()),
            ..LeadQuery::default()
        };

        let filter = query.parse()?;

        let end = filter.created_to.map(|t| t.to_rfc3339());
        assert_eq!(end.as_deref(), Some("2026-03-01T23:59:59.999999+00:00"));
        Ok(())
    }

    #[test]
    fn every_bad_parameter_is_reported() {
        let query = LeadQuery {
            status: Some("submitted,lost".into()),
            borrower: Some("maybe".into()),
            sort: Some("colour".into()),
            limit: Some(500),
            created_from: Some("yesterday".into()),
            ..LeadQuery::default()
        };

        let fields: Vec<String> = match query.parse() {
            Ok(_) => Vec::new(),
            Err(errors) => errors.into_iter().map(|e| e.field).collect(),
        };

        assert_eq!(
            fields,
            ["status", "borrower", "created_from", "sort", "limit"]
        );
    }
}
