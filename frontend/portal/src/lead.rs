//! One lead: who applied, for what, where it stands, the answers by form step, and
//! its timeline.

use leads_domain::permissions::Permission;
use leads_domain::status::Channel;
use leads_domain::wire::{Answer, CatalogItem, LeadDetail, RevealedSsn};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_params_map;
use std::collections::BTreeMap;

use crate::actions::{LeadActions, Shown};
use crate::api::{self, ApiError};
use crate::app::LastTable;
use crate::format;
use crate::proxy_form::ProxyForm;
use crate::session::Auth;
use crate::widgets::{Failure, Loading, ProgressBar, StatusBadge};

#[component]
pub fn LeadPage() -> impl IntoView {
    let auth = expect_context::<Auth>();
    let last = expect_context::<LastTable>();
    let params = use_params_map();
    let lead = RwSignal::new(None::<Result<LeadDetail, ApiError>>);
    let form = RwSignal::new(None::<CatalogItem>);
    let failure = RwSignal::new(None::<String>);

    Effect::new(move |_| {
        let id = params.with(|p| p.get("id").unwrap_or_default());
        lead.set(None);
        form.set(None);
        failure.set(None);
        spawn_local(async move {
            if id.is_empty() || !id.chars().all(|c| c.is_ascii_digit()) {
                lead.set(Some(Err(ApiError::Problem(
                    leads_domain::problem::Problem {
                        kind: "about:blank".into(),
                        title: "There is no such lead.".into(),
                        status: 404,
                        detail: None,
                        request_id: None,
                        errors: Vec::new(),
                        current_status: None,
                    },
                ))));
                return;
            }
            let found = api::get::<LeadDetail>(auth, format!("/api/v1/leads/{id}")).await;
            if let Ok(detail) = &found {
                let slug = detail.item.slug.clone();
                if let Ok(items) =
                    api::get::<Vec<CatalogItem>>(auth, "/api/v1/catalog".into()).await
                {
                    form.set(items.into_iter().find(|item| item.slug == slug));
                }
            }
            lead.set(Some(found));
        });
    });

    view! {
        <section class="page">
            <a class="back" href=move || last.0.get()>"← Back to the table"</a>
            {move || match lead.get() {
                None => view! { <Loading what="the lead"/> }.into_any(),
                Some(Err(error)) => view! { <Failure error/> }.into_any(),
                Some(Ok(detail)) => view! { <Detail detail form shown=lead failure/> }.into_any(),
            }}
        </section>
    }
}

#[component]
fn Detail(
    detail: LeadDetail,
    form: RwSignal<Option<CatalogItem>>,
    shown: Shown,
    failure: RwSignal<Option<String>>,
) -> impl IntoView {
    let auth = expect_context::<Auth>();
    let revealed = RwSignal::new(None::<String>);
    let lead_id = detail.id.0;
    let reveal = move |_| {
        spawn_local(async move {
            let path = format!("/api/v1/leads/{lead_id}/reveal-ssn");
            match api::post::<_, RevealedSsn>(auth, path, &serde_json::json!({})).await {
                Ok(shown) => revealed.set(Some(shown.ssn)),
                Err(error) => revealed.set(Some(error.message())),
            }
        });
    };
    let can_reveal = auth.can(Permission::PiiReveal) && detail.applicant.ssn_masked.is_some();
    let applicant = detail.applicant.clone();
    let name = applicant
        .name
        .clone()
        .unwrap_or_else(|| "Unnamed applicant".into());
    let member_href = format!("/members/{}", detail.member_id.0);
    let answers = detail.answers.clone();
    let address = applicant.address.as_ref().map(|a| {
        [
            a.line1.clone(),
            a.line2.clone().unwrap_or_default(),
            a.city.clone(),
            a.state.clone(),
            a.postal_code.clone(),
        ]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(", ")
    });
    let decision = detail.decision.clone();
    let requests = detail.requests.clone();
    let proxied = detail.clone();
    let documents = detail.documents.clone();

    view! {
        <div class="page-head">
            <div>
                <h1>{name.clone()}</h1>
                <p class="muted">
                    {format!("{} · {}", detail.reference, detail.item.name)}
                </p>
            </div>
            <div class="head-badges">
                <StatusBadge status=detail.status/>
                {detail.archived.then(|| view! { <span class="tag">"Archived"</span> })}
                {(!detail.registered).then(|| view! { <span class="tag">"Unregistered"</span> })}
            </div>
        </div>

        <div class="grid-2">
            <section class="card" aria-labelledby="applicant-title">
                <h2 id="applicant-title">"Applicant"</h2>
                <dl class="facts">
                    <dt>"Name"</dt><dd>{name}</dd>
                    <dt>"Email"</dt><dd>{applicant.email.clone().unwrap_or_else(|| "—".into())}</dd>
                    <dt>"Phone"</dt><dd>{applicant.phone.clone().unwrap_or_else(|| "—".into())}</dd>
                    <dt>"Date of birth"</dt>
                    <dd>{applicant.date_of_birth.map(format::date).unwrap_or_else(|| "—".into())}</dd>
                    <dt>"Address"</dt><dd>{address.unwrap_or_else(|| "—".into())}</dd>
                    <dt>"SSN"</dt>
                    <dd>
                        {move || revealed.get().unwrap_or_else(|| applicant.ssn_masked.clone().unwrap_or_else(|| "—".into()))}
                        {(can_reveal).then(|| view! {
                            <Show when=move || revealed.with(Option::is_none)>
                                <button type="button" class="button button-small" on:click=reveal>"Reveal SSN"</button>
                            </Show>
                        })}
                    </dd>
                </dl>
                <a class="button" href=member_href>"Member profile"</a>
            </section>

            <section class="card" aria-labelledby="application-title">
                <h2 id="application-title">"Application"</h2>
                <dl class="facts">
                    <dt>"Product or service"</dt><dd>{detail.item.name.clone()}</dd>
                    <dt>"Amount"</dt><dd>{format::money(detail.amount)}</dd>
                    <dt>"Term"</dt><dd>{detail.term_months.map(|t| format!("{t} months")).unwrap_or_else(|| "—".into())}</dd>
                    <dt>"Status"</dt><dd><StatusBadge status=detail.status/></dd>
                    <dt>"Channel"</dt><dd>{format::channel_label(detail.channel)}</dd>
                    <dt>"Created by"</dt>
                    <dd>{match (&detail.created_by, detail.channel) {
                        (Some(user), _) => user.name.clone(),
                        (None, Channel::Automation | Channel::Integration) => "Imported".into(),
                        (None, _) => "The applicant".into(),
                    }}</dd>
                    <dt>"Assigned to"</dt>
                    <dd>{detail.assignee.as_ref().map(|u| u.name.clone()).unwrap_or_else(|| "Nobody".into())}</dd>
                    <dt>"Progress"</dt><dd><ProgressBar progress=detail.progress.clone()/></dd>
                    <dt>"Started"</dt><dd>{format::moment(detail.created_at)}</dd>
                    <dt>"Submitted"</dt><dd>{detail.submitted_at.map(format::moment).unwrap_or_else(|| "Not yet".into())}</dd>
                    <dt>"Last updated"</dt><dd>{format::moment(detail.updated_at)}</dd>
                </dl>
                {decision.map(|d| view! {
                    <div class="decision">
                        <h3>"Decision"</h3>
                        {(!d.decline_reasons.is_empty()).then(|| view! {
                            <p>"Declined for: "{d.decline_reasons.iter().map(|r| format::code(r)).collect::<Vec<_>>().join(", ")}</p>
                        })}
                        {d.close_reason.map(|r| view! { <p>"Closed: "{format::code(&r)}</p> })}
                        {d.decided_at.map(|at| view! {
                            <p class="muted">
                                {format!("{} by {}", format::moment(at), d.decided_by.map(|u| u.name).unwrap_or_else(|| "the system".into()))}
                            </p>
                        })}
                    </div>
                })}
            </section>
        </div>

        {detail.held_product.clone().map(|p| view! {
            <section class="card" aria-labelledby="held-title">
                <h2 id="held-title">"Product opened"</h2>
                <dl class="facts">
                    <dt>"Product"</dt><dd>{format::code(&p.product_type)}</dd>
                    <dt>"Amount"</dt><dd>{format::money(p.amount)}</dd>
                    <dt>"Rate"</dt><dd>{p.rate_percent.map(|r| format!("{r:.2}%")).unwrap_or_else(|| "—".into())}</dd>
                    <dt>"Term"</dt><dd>{p.term_months.map(|t| format!("{t} months")).unwrap_or_else(|| "—".into())}</dd>
                    <dt>"Opened"</dt><dd>{format::date(p.opened_on)}</dd>
                </dl>
            </section>
        })}

        <LeadActions detail=detail.clone() shown kind=Some(detail.item.kind) failure/>
        {move || form.get().map(|item| view! { <ProxyForm detail=proxied.clone() item shown/> })}

        <section class="card" aria-labelledby="answers-title">
            <h2 id="answers-title">"Answers"</h2>
            {move || grouped_answers(&answers, form.get().as_ref())}
        </section>

        <section class="card" aria-labelledby="requests-title">
            <h2 id="requests-title">"Requests to the applicant"</h2>
            {if requests.is_empty() {
                view! { <p class="muted">"Nothing has been asked of the applicant."</p> }.into_any()
            } else {
                view! {
                    <ul class="requests">
                        {requests.into_iter().map(|request| {
                            let answered = request.status == "answered";
                            view! {
                                <li class="request">
                                    <div class="request-head">
                                        <strong>{request.title.clone()}</strong>
                                        <span class=if answered { "badge badge-approved" } else { "badge badge-submitted" }>
                                            {if answered { "Answered" } else { "Waiting" }}
                                        </span>
                                    </div>
                                    <p>{request.description.clone()}</p>
                                    {request.upload_prompt.clone().map(|p| view! { <p class="muted">{format!("Upload: {p}")}</p> })}
                                    {request.due_on.map(|d| view! { <p class="muted">{format!("Due {}", format::date(d))}</p> })}
                                    {request.answer.clone().filter(|a| !a.is_empty()).map(|a| {
                                        view! { <blockquote class="answer">{a}</blockquote> }
                                    })}
                                    <p class="muted">{format!(
                                        "Asked {}{}",
                                        format::moment(request.created_at),
                                        request.answered_at.map(|at| format!(" · answered {}", format::moment(at))).unwrap_or_default()
                                    )}</p>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>

        <section class="card" aria-labelledby="documents-title">
            <h2 id="documents-title">"Documents"</h2>
            {if documents.is_empty() {
                view! { <p class="muted">"No documents have been uploaded."</p> }.into_any()
            } else {
                view! {
                    <ul class="documents">
                        {documents.into_iter().map(|document| {
                            let path = format!("/api/v1/leads/{lead_id}/documents/{}", document.id);
                            let name = document.file_name.clone();
                            let kind = document.content_type.clone();
                            let fetch = move |_| {
                                let path = path.clone();
                                let name = name.clone();
                                let kind = kind.clone();
                                spawn_local(async move {
                                    if let Ok(bytes) = api::download(auth, path).await {
                                        let _ = api::save_file(&bytes, &name, &kind);
                                    }
                                });
                            };
                            let by = if document.uploaded_by == "applicant" { "the applicant" } else { "staff" };
                            view! {
                                <li>
                                    <button type="button" class="link-button" on:click=fetch>{document.file_name.clone()}</button>
                                    <span class="muted">{format!(
                                        " · {} KB · from {by} · {}",
                                        (document.size_bytes + 1023) / 1024,
                                        format::moment(document.created_at)
                                    )}</span>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>

        <section class="card" aria-labelledby="timeline-title">
            <h2 id="timeline-title">"Timeline"</h2>
            <ol class="timeline">
                {detail.timeline.iter().map(|activity| {
                    let who = match &activity.actor.user {
                        Some(user) => user.name.clone(),
                        None => format::action_label(&activity.actor.kind),
                    };
                    view! {
                        <li>
                            <span class="when">{format::moment(activity.at)}</span>
                            <span class="what">
                                {format::action_label(&activity.action)}
                                {summary(&activity.action, &activity.detail).map(|text| view! {
                                    <span class="what-detail">{text}</span>
                                })}
                            </span>
                            <span class="who">{who}</span>
                        </li>
                    }
                }).collect_view()}
            </ol>
        </section>
    }
}

/// A line saying what an activity changed, from its recorded before and after.
fn summary(action: &str, detail: &serde_json::Value) -> Option<String> {
    let after = &detail["after"];
    match action {
        "note.added" => detail["text"].as_str().map(str::to_string),
        "lead.assigned" => Some(match after["assignee"]["name"].as_str() {
            Some(name) => format!("to {name}"),
            None => "to nobody".into(),
        }),
        "lead.declined" => after["reasons"].as_array().map(|reasons| {
            let codes: Vec<&str> = reasons.iter().filter_map(|r| r.as_str()).collect();
            codes.join(", ").replace('_', " ")
        }),
        "lead.closed" => after["reason"].as_str().map(|r| r.replace('_', " ")),
        "lead.converted" => after["product_type"].as_str().map(|p| p.replace('_', " ")),
        "request.made" | "request.answered" => after["title"].as_str().map(str::to_string),
        "document.added" => after["documents"].as_array().map(|names| {
            let names: Vec<&str> = names.iter().filter_map(|n| n.as_str()).collect();
            names.join(", ")
        }),
        _ => None,
    }
}

/// Answers under the form's step titles, in form order; answers the form no longer asks
/// for are listed last, so nothing given is hidden.
fn grouped_answers(answers: &BTreeMap<String, Answer>, item: Option<&CatalogItem>) -> AnyView {
    if answers.is_empty() {
        return view! { <p class="muted">"No answers yet."</p> }.into_any();
    }
    let mut shown = std::collections::BTreeSet::new();
    let mut groups = Vec::new();
    let steps = item
        .and_then(|i| i.form["steps"].as_array().cloned())
        .unwrap_or_default();
    for step in steps {
        let title = step["title"].as_str().unwrap_or("Answers").to_string();
        let mut rows = Vec::new();
        for field in step["fields"].as_array().cloned().unwrap_or_default() {
            let Some(key) = field["key"].as_str() else {
                continue;
            };
            if let Some(answer) = answers.get(key) {
                shown.insert(key.to_string());
                let label = field["label"].as_str().unwrap_or(key).to_string();
                let mut answer = answer.clone();
                if field["type"] == "money" {
                    if let Some(cents) = answer.value.as_f64().map(|d| (d * 100.0).round() as i64) {
                        let shown = format::money(leads_domain::Money::from_cents(cents).ok());
                        answer.value = serde_json::Value::String(shown);
                    }
                }
                rows.push((label, answer));
            }
        }
        if !rows.is_empty() {
            groups.push((title, rows));
        }
    }
    let rest: Vec<(String, Answer)> = answers
        .iter()
        .filter(|(k, _)| !shown.contains(*k))
        .map(|(k, a)| {
            let mut a = a.clone();
            if let serde_json::Value::String(text) = &a.value {
                a.value = serde_json::Value::String(format::code(text));
            }
            (format::action_label(k), a)
        })
        .collect();
    if !rest.is_empty() {
        groups.push(("Other answers".into(), rest));
    }
    groups
        .into_iter()
        .map(|(title, rows)| {
            view! {
                <div class="answer-group">
                    <h3>{title}</h3>
                    <dl class="facts">
                        {rows.into_iter().map(|(label, answer)| view! {
                            <dt>{label}</dt>
                            <dd>
                                {format::answer(&answer.value)}
                                {(answer.source != "applicant").then(|| view! {
                                    <span class="tag">{format!("from {}", answer.source)}</span>
                                })}
                            </dd>
                        }).collect_view()}
                    </dl>
                </div>
            }
        })
        .collect_view()
        .into_any()
}
