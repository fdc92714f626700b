//! What a user may do to the lead on screen: only the actions their role allows and the
//! lead's state permits are offered. Every change is sent with the version shown, so a
//! change made meanwhile by someone else is refused and the page shows the new state.

use leads_domain::permissions::Permission;
use leads_domain::status::{CatalogKind, DeclineReason, LeadStatus};
use leads_domain::wire::{
    AssignRequest, CloseRequest, ConvertRequest, DeclineRequest, LeadDetail, MakeRequest,
    NoteRequest, StaffUser,
};
use leads_domain::UserId;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{self, ApiError};
use crate::session::Auth;

/// The lead as the page holds it; actions replace it with the server's answer.
pub type Shown = RwSignal<Option<Result<LeadDetail, ApiError>>>;

const DECLINE_REASONS: &[(DeclineReason, &str)] = &[
    (DeclineReason::DebtToIncome, "Debt-to-income ratio"),
    (DeclineReason::EmploymentHistory, "Employment history"),
    (DeclineReason::CreditHistory, "Credit history"),
    (DeclineReason::Collateral, "Collateral"),
    (DeclineReason::InsufficientCash, "Insufficient cash"),
    (
        DeclineReason::UnverifiableInformation,
        "Unverifiable information",
    ),
    (
        DeclineReason::IncompleteApplication,
        "Incomplete application",
    ),
    (DeclineReason::Other, "Other"),
];

const CLOSE_REASONS: &[(&str, &str)] = &[
    ("withdrawn", "Withdrawn by the applicant"),
    ("abandoned", "Abandoned"),
    ("incomplete", "Incomplete"),
    ("duplicate", "Duplicate"),
    ("not_accepted", "Offer not accepted"),
    ("other", "Other"),
];

/// The lead on screen and where an action's outcome is shown.
#[derive(Clone, Copy)]
struct Target {
    auth: Auth,
    shown: Shown,
    failure: RwSignal<Option<String>>,
    busy: RwSignal<bool>,
    id: i64,
    version: i32,
}

impl Target {
    /// Sends one action and shows its outcome: the new lead, or why it was refused.
    fn send(self, action: &'static str, body: serde_json::Value) {
        let Target {
            auth,
            shown,
            failure,
            busy,
            id,
            version,
        } = self;
        busy.set(true);
        failure.set(None);
        spawn_local(async move {
            let path = format!("/api/v1/leads/{id}/{action}");
            let result = if action == "notes" {
                api::post::<_, LeadDetail>(auth, path, &body).await
            } else {
                api::post_versioned::<_, LeadDetail>(auth, path, &body, version).await
            };
            busy.set(false);
            match result {
                Ok(detail) => shown.set(Some(Ok(detail))),
                Err(error) if matches!(error.status(), Some(409 | 412)) => {
                    failure.set(Some(format!(
                        "{} The lead has been reloaded as it is now.",
                        error.message()
                    )));
                    let path = format!("/api/v1/leads/{id}");
                    if let Ok(detail) = api::get::<LeadDetail>(auth, path).await {
                        shown.set(Some(Ok(detail)));
                    }
                }
                Err(error) => failure.set(Some(error.message())),
            }
        });
    }
}

#[component]
pub fn LeadActions(
    detail: LeadDetail,
    shown: Shown,
    kind: Option<CatalogKind>,
    /// Why the last action failed; kept by the page, so it outlives a reload of the lead.
    failure: RwSignal<Option<String>>,
) -> impl IntoView {
    let auth = expect_context::<Auth>();
    let busy = RwSignal::new(false);
    let id = detail.id.0;
    let version = detail.version;
    let status = detail.status;
    let open = !detail.archived;
    let can_work = auth.can(Permission::LeadsWork);
    let can_decide = auth.can(Permission::LeadsDecide);

    let staff = RwSignal::new(Vec::<StaffUser>::new());
    if can_work && open {
        spawn_local(async move {
            if let Ok(users) = api::get::<Vec<StaffUser>>(auth, "/api/v1/users".into()).await {
                staff.set(users);
            }
        });
    }
    let assignee = RwSignal::new(
        detail
            .assignee
            .as_ref()
            .map(|u| u.id.0.to_string())
            .unwrap_or_default(),
    );
    let note = RwSignal::new(String::new());
    let ask_title = RwSignal::new(String::new());
    let ask_description = RwSignal::new(String::new());
    let ask_upload = RwSignal::new(String::new());
    let ask_due = RwSignal::new(String::new());
    let reasons = RwSignal::new(Vec::<DeclineReason>::new());
    let other_reason = RwSignal::new(String::new());
    let close_reason = RwSignal::new(String::new());
    let close_detail = RwSignal::new(String::new());
    let rate = RwSignal::new(String::new());
    let term = RwSignal::new(
        detail
            .term_months
            .map(|t| t.to_string())
            .unwrap_or_default(),
    );
    let confirming = RwSignal::new(None::<&'static str>);

    let target = Target {
        auth,
        shown,
        failure,
        busy,
        id,
        version,
    };
    let go = move |action: &'static str, body: serde_json::Value| target.send(action, body);

    let nothing = !(can_work || can_decide);
    if nothing {
        return ().into_any();
    }

    let assign = move |_| {
        let chosen = assignee.get_untracked().parse::<i64>().ok().map(UserId);
        go("assign", to_value(&AssignRequest { assignee: chosen }));
    };
    let add_note = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let text = note.get_untracked();
        if text.trim().is_empty() {
            failure.set(Some("Write the note first.".into()));
            return;
        }
        note.set(String::new());
        go("notes", to_value(&NoteRequest { text }));
    };
    let ask = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let title = ask_title.get_untracked();
        let description = ask_description.get_untracked();
        if title.trim().is_empty() || description.trim().is_empty() {
            failure.set(Some(
                "Give the request a title and say what is needed.".into(),
            ));
            return;
        }
        let due_text = ask_due.get_untracked();
        let due_on = match due_text.trim() {
            "" => None,
            text => match chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d") {
                Ok(day) => Some(day),
                Err(_) => {
                    failure.set(Some("The due date is not a date.".into()));
                    return;
                }
            },
        };
        let upload = ask_upload.get_untracked();
        go(
            "requests",
            to_value(&MakeRequest {
                title,
                description,
                upload_prompt: Some(upload).filter(|u| !u.trim().is_empty()),
                due_on,
            }),
        );
    };
    let decline = move |_| {
        let chosen = reasons.get_untracked();
        if chosen.is_empty() || chosen.len() > 4 {
            failure.set(Some("Choose one to four reasons for the decline.".into()));
            return;
        }
        let other = other_reason.get_untracked();
        go(
            "decline",
            to_value(&DeclineRequest {
                reasons: chosen.iter().map(|r| r.as_str().to_string()).collect(),
                other_reason: Some(other).filter(|o| !o.trim().is_empty()),
            }),
        );
    };
    let close = move |_| {
        let reason = close_reason.get_untracked();
        if reason.is_empty() {
            failure.set(Some("Choose why the lead is closed.".into()));
            return;
        }
        let detail = close_detail.get_untracked();
        go(
            "close",
            to_value(&CloseRequest {
                reason,
                detail: Some(detail).filter(|d| !d.trim().is_empty()),
            }),
        );
    };
    let convert = move |_| {
        let rate_text = rate.get_untracked();
        let term_text = term.get_untracked();
        let rate_percent = match rate_text.trim() {
            "" => None,
            text => match text.trim_end_matches('%').parse::<f64>() {
                Ok(r) => Some(r),
                Err(_) => {
                    failure.set(Some("The rate must be a number, such as 6.25.".into()));
                    return;
                }
            },
        };
        let term_months = match term_text.trim() {
            "" => None,
            text => match text.parse::<i32>() {
                Ok(t) => Some(t),
                Err(_) => {
                    failure.set(Some("The term must be a whole number of months.".into()));
                    return;
                }
            },
        };
        go(
            "convert",
            to_value(&ConvertRequest {
                amount: None,
                rate_percent,
                term_months,
                opened_on: None,
            }),
        );
    };

    let decidable = can_decide && open && status == LeadStatus::Submitted;
    let closable = can_decide
        && open
        && matches!(
            status,
            LeadStatus::InProgress | LeadStatus::Submitted | LeadStatus::Approved
        );
    let convertible =
        can_decide && open && status == LeadStatus::Approved && kind == Some(CatalogKind::Product);

    view! {
        <section class="card actions" aria-labelledby="actions-title">
            <h2 id="actions-title">"Work this lead"</h2>
            {move || failure.get().map(|message| view! {
                <p class="state state-error" role="alert">{message}</p>
            })}
            {(!open).then(|| view! {
                <p class="notice">"This lead is archived: it can no longer be changed, but notes can still be added."</p>
            })}

            {(can_work && open).then(|| view! {
                <div class="action-row">
                    <label class="field inline">
                        <span>"Assign to"</span>
                        <select aria-label="Assign to" prop:value=move || assignee.get()
                            on:change=move |ev| assignee.set(event_target_value(&ev))>
                            <option value="">"Nobody"</option>
                            {move || staff.get().into_iter().map(|u| {
                                let value = u.id.0.to_string();
                                let chosen = value.clone();
                                view! {
                                    <option value=value selected=move || assignee.get() == chosen>
                                        {u.name}
                                    </option>
                                }
                            }).collect_view()}
                        </select>
                    </label>
                    <button type="button" class="button" disabled=move || busy.get() on:click=assign>"Assign"</button>
                </div>
            })}

            {can_work.then(|| view! {
                <form class="action-row note-form" on:submit=add_note>
                    <label class="field grow">
                        <span>"Note"</span>
                        <textarea rows="2" maxlength="4000" required placeholder="Only staff see notes. They cannot be edited or deleted."
                            prop:value=move || note.get()
                            on:input=move |ev| note.set(event_target_value(&ev))></textarea>
                    </label>
                    <button type="submit" class="button" disabled=move || busy.get()>"Add note"</button>
                </form>
            })}

            {(can_work && open).then(|| view! {
                <form class="request-form" on:submit=ask aria-labelledby="request-title">
                    <h3 id="request-title">"Ask the applicant"</h3>
                    <p class="muted">"They are emailed: a link to answer and upload with no account, or, if they have an account, a note to sign in and answer there."</p>
                    <div class="action-row">
                        <label class="field grow">
                            <span>"Request title"</span>
                            <input type="text" maxlength="200" required prop:value=move || ask_title.get()
                                on:input=move |ev| ask_title.set(event_target_value(&ev))/>
                        </label>
                        <label class="field">
                            <span>"Due date"</span>
                            <input type="date" prop:value=move || ask_due.get()
                                on:input=move |ev| ask_due.set(event_target_value(&ev))/>
                        </label>
                    </div>
                    <label class="field">
                        <span>"What is needed"</span>
                        <textarea rows="2" maxlength="4000" required prop:value=move || ask_description.get()
                            on:input=move |ev| {
                                ask_description.set(event_target_value(&ev))
                            }></textarea>
                    </label>
                    <div class="action-row">
                        <label class="field grow">
                            <span>"Upload prompt"</span>
                            <input type="text" maxlength="200" placeholder="Optional: the document to upload"
                                prop:value=move || ask_upload.get()
                                on:input=move |ev| ask_upload.set(event_target_value(&ev))/>
                        </label>
                        <button type="submit" class="button" disabled=move || busy.get()>"Send request"</button>
                    </div>
                </form>
            })}

            {decidable.then(|| view! {
                <div class="decide">
                    <h3>"Decision"</h3>
                    <div class="action-row">
                        {move || if confirming.get() == Some("approve") {
                            view! {
                                <span class="muted">"Approval cannot be undone."</span>
                                <button type="button" class="button button-primary" disabled=move || busy.get()
                                    on:click=move |_| { confirming.set(None); go("approve", serde_json::json!({})); }>
                                    "Confirm approval"
                                </button>
                                <button type="button" class="button button-quiet" on:click=move |_| confirming.set(None)>"Cancel"</button>
                            }.into_any()
                        } else {
                            view! {
                                <button type="button" class="button button-primary" on:click=move |_| confirming.set(Some("approve"))>
                                    "Approve"
                                </button>
                            }.into_any()
                        }}
                    </div>
                    <fieldset class="reasons">
                        <legend>"Decline reasons (one to four)"</legend>
                        {DECLINE_REASONS.iter().map(|(reason, label)| {
                            let reason = *reason;
                            view! {
                                <label class="check">
                                    <input type="checkbox"
                                        prop:checked=move || reasons.with(|r| r.contains(&reason))
                                        on:change=move |_| reasons.update(|r| toggle(r, reason))/>
                                    {*label}
                                </label>
                            }
                        }).collect_view()}
                    </fieldset>
                    <div class="action-row">
                        <label class="field grow">
                            <span>"Other reason"</span>
                            <input type="text" maxlength="500" prop:value=move || other_reason.get()
                                on:input=move |ev| other_reason.set(event_target_value(&ev))/>
                        </label>
                        <button type="button" class="button button-danger" disabled=move || busy.get() on:click=decline>"Decline"</button>
                    </div>
                </div>
            })}

            {convertible.then(|| view! {
                <div class="decide">
                    <h3>"Convert to a product"</h3>
                    <div class="action-row">
                        <label class="field">
                            <span>"Rate (%)"</span>
                            <input type="text" inputmode="decimal" prop:value=move || rate.get()
                                on:input=move |ev| rate.set(event_target_value(&ev))/>
                        </label>
                        <label class="field">
                            <span>"Term (months)"</span>
                            <input type="text" inputmode="numeric" prop:value=move || term.get()
                                on:input=move |ev| term.set(event_target_value(&ev))/>
                        </label>
                        <button type="button" class="button button-primary" disabled=move || busy.get() on:click=convert>"Convert"</button>
                    </div>
                </div>
            })}

            {closable.then(|| view! {
                <div class="decide">
                    <h3>"Close without a product"</h3>
                    <div class="action-row">
                        <label class="field">
                            <span>"Close reason"</span>
                            <select aria-label="Close reason" prop:value=move || close_reason.get()
                                on:change=move |ev| close_reason.set(event_target_value(&ev))>
                                <option value="">"Choose…"</option>
                                {CLOSE_REASONS.iter().map(|(value, label)| view! {
                                    <option value=*value>{*label}</option>
                                }).collect_view()}
                            </select>
                        </label>
                        <label class="field grow">
                            <span>"Details"</span>
                            <input type="text" maxlength="500" prop:value=move || close_detail.get()
                                on:input=move |ev| close_detail.set(event_target_value(&ev))/>
                        </label>
                        <button type="button" class="button" disabled=move || busy.get() on:click=close>"Close lead"</button>
                    </div>
                </div>
            })}

            {(can_work && open).then(|| view! {
                <div class="action-row archive-row">
                    {move || if confirming.get() == Some("archive") {
                        view! {
                            <span class="muted">"An archived lead can never be changed again."</span>
                            <button type="button" class="button button-danger" disabled=move || busy.get()
                                on:click=move |_| { confirming.set(None); go("archive", serde_json::json!({})); }>
                                "Confirm archive"
                            </button>
                            <button type="button" class="button button-quiet" on:click=move |_| confirming.set(None)>"Cancel"</button>
                        }.into_any()
                    } else {
                        view! {
                            <button type="button" class="button button-quiet" on:click=move |_| confirming.set(Some("archive"))>
                                "Archive"
                            </button>
                        }.into_any()
                    }}
                </div>
            })}
        </section>
    }
    .into_any()
}

/// Adds `reason` to the chosen ones, or takes it out if it is there.
fn toggle(chosen: &mut Vec<DeclineReason>, reason: DeclineReason) {
    match chosen.iter().position(|r| *r == reason) {
        Some(at) => {
            chosen.remove(at);
        }
        None => chosen.push(reason),
    }
}

fn to_value<T: serde::Serialize>(body: &T) -> serde_json::Value {
    serde_json::to_value(body).unwrap_or_default()
}
