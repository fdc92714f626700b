//! The members table: search by name, email, phone or member number.

use leads_domain::wire::{MemberPage, MemberSummary};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;

use crate::api::{self, encode, ApiError};
use crate::format;
use crate::session::Auth;
use crate::widgets::{Failure, Loading};

#[component]
pub fn MembersPage() -> impl IntoView {
    let auth = expect_context::<Auth>();
    let query = use_query_map();
    let navigate = use_navigate();
    let wanted = Memo::new(move |_| {
        query.with(|q| {
            ["q", "cursor"]
                .iter()
                .filter_map(|k| {
                    q.get(k)
                        .filter(|v| !v.is_empty())
                        .map(|v| format!("{k}={}", encode(&v)))
                })
                .collect::<Vec<_>>()
                .join("&")
        })
    });
    let page = RwSignal::new(None::<Result<MemberPage, ApiError>>);
    Effect::new(move |_| {
        let asked = wanted.get();
        page.set(None);
        spawn_local(async move {
            let result = api::get::<MemberPage>(auth, format!("/api/v1/members?{asked}")).await;
            if wanted.get_untracked() == asked {
                page.set(Some(result));
            }
        });
    });

    let search = RwSignal::new(query.get_untracked().get("q").unwrap_or_default());
    let submit = {
        let navigate = navigate.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let text = search.get_untracked().trim().to_string();
            let to = if text.is_empty() {
                "/members".to_string()
            } else {
                format!("/members?q={}", encode(&text))
            };
            navigate(&to, NavigateOptions::default());
        }
    };
    let next = move || {
        page.with(|p| {
            p.as_ref()
                .and_then(|r| r.as_ref().ok())
                .and_then(|p| p.next_cursor.clone())
        })
    };
    let go_next = move |_| {
        if let Some(cursor) = next() {
            let mut to = format!("/members?cursor={}", encode(&cursor));
            if let Some(q) = query.get_untracked().get("q") {
                to.push_str(&format!("&q={}", encode(&q)));
            }
            navigate(&to, NavigateOptions::default());
        }
    };

    view! {
        <section class="page page-wide" aria-labelledby="members-title">
            <div class="page-head"><h1 id="members-title">"Members"</h1></div>
            <form class="searchbar" role="search" on:submit=submit>
                <input
                    type="search"
                    aria-label="Search"
                    placeholder="Search name, email, phone or member number"
                    maxlength="200"
                    prop:value=move || search.get()
                    on:input=move |ev| search.set(event_target_value(&ev))
                />
                <button type="submit" class="button">"Find"</button>
            </form>
            <div class="table-wrap">
                <table class="table" aria-label="Members">
                    <thead>
                        <tr>
                            <th scope="col">"Name"</th>
                            <th scope="col">"Member number"</th>
                            <th scope="col">"Email"</th>
                            <th scope="col">"Phone"</th>
                            <th scope="col">"Borrower"</th>
                            <th scope="col">"Since"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {move || page.with(|p| match p {
                            Some(Ok(page)) => {
                                page.items.iter().map(member_row).collect_view().into_any()
                            }
                            _ => ().into_any(),
                        })}
                    </tbody>
                </table>
                {move || match page.get() {
                    None => view! { <Loading what="members"/> }.into_any(),
                    Some(Err(error)) => view! { <Failure error/> }.into_any(),
                    Some(Ok(p)) if p.items.is_empty() => view! {
                        <div class="state state-empty"><p><strong>"No members match."</strong></p></div>
                    }.into_any(),
                    Some(Ok(_)) => ().into_any(),
                }}
            </div>
            <nav class="pager" aria-label="Pages">
                <button type="button" class="button" disabled=move || next().is_none() on:click=go_next>
                    "Next →"
                </button>
            </nav>
        </section>
    }
}

fn member_row(member: &MemberSummary) -> impl IntoView {
    let name = member.name.clone().unwrap_or_else(|| "Unnamed".into());
    view! {
        <tr>
            <td><a href=format!("/members/{}", member.id.0)>{name}</a></td>
            <td class="mono">{member.member_number.clone()}</td>
            <td>{member.email.clone().unwrap_or_else(|| "—".into())}</td>
            <td>{member.phone.clone().unwrap_or_else(|| "—".into())}</td>
            <td>{registration(member)}</td>
            <td>{format::day(member.created_at)}</td>
        </tr>
    }
}

/// Registered or not, and whether there is an applicant-portal login.
pub fn registration(member: &MemberSummary) -> &'static str {
    match (member.registered, member.has_login) {
        (true, true) => "Registered, with login",
        (true, false) => "Registered",
        (false, _) => "Unregistered",
    }
}
