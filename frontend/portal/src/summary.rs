//! A lead's summary over the table: the facts that matter at a glance and the actions
//! the user may take, without leaving the page.

use leads_domain::wire::LeadDetail;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::actions::LeadActions;
use crate::api::{self, ApiError};
use crate::format;
use crate::session::Auth;
use crate::widgets::{Failure, Loading, StatusBadge};

/// Shows the summary of lead `id`; `closed` is called when the user closes it.
#[component]
pub fn SummaryDialog(id: i64, closed: Callback<()>) -> impl IntoView {
    let auth = expect_context::<Auth>();
    let shown = RwSignal::new(None::<Result<LeadDetail, ApiError>>);
    let failure = RwSignal::new(None::<String>);
    spawn_local(async move {
        shown.set(Some(
            api::get::<LeadDetail>(auth, format!("/api/v1/leads/{id}")).await,
        ));
    });
    // A modal <dialog>: the browser keeps focus inside it and the page behind it inert,
    // closes it on Escape, and gives focus back to where it was.
    let dialog = NodeRef::<leptos::html::Dialog>::new();
    Effect::new(move |_| {
        if let Some(dialog) = dialog.get() {
            if !dialog.open() {
                let _ = dialog.show_modal();
            }
        }
    });
    let close = move |_| {
        if let Some(dialog) = dialog.get_untracked() {
            dialog.close();
        }
    };

    view! {
        <dialog class="dialog card" node_ref=dialog aria-labelledby="summary-title"
            on:close=move |_| closed.run(())>
            <div class="dialog-head">
                <h2 id="summary-title">"Lead summary"</h2>
                <button type="button" class="button button-quiet" on:click=close autofocus>"Close summary"</button>
            </div>
            {move || match shown.get() {
                None => view! { <Loading what="the lead"/> }.into_any(),
                Some(Err(error)) => view! { <Failure error/> }.into_any(),
                Some(Ok(detail)) => facts(detail, shown, failure).into_any(),
            }}
        </dialog>
    }
}

fn facts(
    detail: LeadDetail,
    shown: RwSignal<Option<Result<LeadDetail, ApiError>>>,
    failure: RwSignal<Option<String>>,
) -> impl IntoView {
    let name = detail
        .applicant
        .name
        .clone()
        .unwrap_or_else(|| "Unnamed applicant".into());
    let open_requests = detail
        .requests
        .iter()
        .filter(|r| r.status == "open")
        .count();
    let href = format!("/leads/{}", detail.id.0);
    let recent: Vec<_> = detail.timeline.iter().take(3).cloned().collect();
    let kind = Some(detail.item.kind);
    view! {
        <div class="summary-head">
            <div>
                <strong>{name}</strong>
                <p class="muted">{format!("{} · {}", detail.reference, detail.item.name)}</p>
            </div>
            <StatusBadge status=detail.status/>
        </div>
        <dl class="facts">
            <dt>"Amount"</dt><dd>{format::money(detail.amount)}</dd>
            <dt>"Assigned to"</dt>
            <dd>{detail.assignee.as_ref().map(|u| u.name.clone()).unwrap_or_else(|| "Nobody".into())}</dd>
            <dt>"Submitted"</dt>
            <dd>{detail.submitted_at.map(format::moment).unwrap_or_else(|| "Not yet".into())}</dd>
            <dt>"Waiting on the applicant"</dt>
            <dd>{match detail.waiting_since {
                Some(since) => format!("{} ({open_requests} open request{})", format::age(since), if open_requests == 1 { "" } else { "s" }),
                None => "No".into(),
            }}</dd>
        </dl>
        {(!recent.is_empty()).then(|| view! {
            <h3>"Latest"</h3>
            <ul class="recent">
                {recent.into_iter().map(|a| view! {
                    <li>{format!("{} · {}", format::action_label(&a.action), format::moment(a.at))}</li>
                }).collect_view()}
            </ul>
        })}
        <p><a href=href>"Open the full lead"</a></p>
        <LeadActions detail shown kind failure/>
    }
}
