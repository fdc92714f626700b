//! The rows of the leads table and what is read off the page shown.

use leads_domain::lead_query::EXACT_TOTAL_CAP;
use leads_domain::status::LeadStatus;
use leads_domain::wire::{LeadPage, LeadSummary};
use leptos::prelude::*;

use crate::api::ApiError;
use crate::bulk::Selection;
use crate::format;
use crate::widgets::{ProgressBar, StatusBadge};

/// A page fetched for one address, or the failure.
pub(crate) type Fetched = Option<(String, Result<LeadPage, ApiError>)>;

/// `YYYY-MM-DD` with a four-digit year from 1900 on.
pub(crate) fn plausible_day(value: &str) -> bool {
    let parts: Vec<&str> = value.split('-').collect();
    matches!(parts.as_slice(), [y, m, d] if y.len() == 4 && m.len() == 2 && d.len() == 2)
        && value[..4]
            .parse::<u32>()
            .is_ok_and(|y| (1900..=2999).contains(&y))
}

pub(crate) type Shown = RwSignal<Fetched>;

/// The ids of the leads on the page shown.
pub(crate) fn page_ids(fetched: &Shown) -> Vec<i64> {
    fetched.with(|f| match f {
        Some((_, Ok(page))) => page.items.iter().map(|l| l.id.0).collect(),
        _ => Vec::new(),
    })
}

/// A cursor of the page shown.
pub(crate) fn cursor(
    fetched: &Shown,
    pick: impl Fn(&LeadPage) -> Option<String>,
) -> Option<String> {
    fetched.with(|f| {
        f.as_ref()
            .and_then(|(_, r)| r.as_ref().ok())
            .and_then(&pick)
    })
}

pub(crate) fn count_text(page: &LeadPage) -> String {
    let total = format::grouped(page.total.max(0) as u64);
    if !page.total_exact || page.total > EXACT_TOTAL_CAP {
        format!("{}+ leads", format::grouped(EXACT_TOTAL_CAP as u64))
    } else if page.total == 1 {
        "1 lead".into()
    } else {
        format!("{total} leads")
    }
}

pub(crate) fn row(
    lead: &LeadSummary,
    selection: Option<Selection>,
    summary_of: RwSignal<Option<i64>>,
) -> impl IntoView {
    let name = lead
        .applicant
        .name
        .clone()
        .or_else(|| lead.applicant.email.clone())
        .unwrap_or_else(|| "Unnamed applicant".into());
    let href = format!("/leads/{}", lead.id.0);
    view! {
        <tr class:archived=lead.archived>
            {selection.map(|selection| {
                let id = lead.id.0;
                let label = format!("Select {name}");
                view! {
                    <td class="select">
                        <input type="checkbox" aria-label=label
                            prop:checked=move || selection.holds(id)
                            on:change=move |ev| selection.toggle(id, event_target_checked(&ev))/>
                    </td>
                }
            })}
            <td>
                <a class="lead-link" href=href>{name.clone()}</a>
                <span class="sub">
                    {lead.reference.clone()}
                    {(!lead.registered).then(|| view! { <span class="tag">"Unregistered"</span> })}
                    {lead.archived.then(|| view! { <span class="tag">"Archived"</span> })}
                    <button type="button" class="link-button summary-link"
                        aria-label=format!("Summary of {name}")
                        on:click={
                            let id = lead.id.0;
                            move |_| summary_of.set(Some(id))
                        }>"Summary"</button>
                </span>
            </td>
            <td>{lead.item.name.clone()}</td>
            <td>
                <StatusBadge status=lead.status/>
                {(lead.status == LeadStatus::Submitted).then(|| lead.submitted_at.map(|at| view! {
                    <span class="sub aging">{format!("submitted {}", format::age(at))}</span>
                })).flatten()}
                {lead.waiting_since.map(|at| view! {
                    <span class="sub aging waiting">{format!("waiting on applicant {}", format::age(at))}</span>
                })}
            </td>
            <td>{format::channel_label(lead.channel)}</td>
            <td class="number">{format::money(lead.amount)}</td>
            <td><ProgressBar progress=lead.progress.clone()/></td>
            <td>{format::day(lead.created_at)}</td>
            <td>{format::day(lead.updated_at)}</td>
            <td>{lead.assignee.as_ref().map(|u| u.name.clone()).unwrap_or_else(|| "—".into())}</td>
        </tr>
    }
}
