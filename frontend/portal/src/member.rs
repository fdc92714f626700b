//! A member's profile: identity, every lead they started, the products they hold.

use leads_domain::wire::MemberProfile;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_params_map;

use crate::api::{self, ApiError};
use crate::format;
use crate::members::registration;
use crate::session::Auth;
use crate::widgets::{Failure, Loading, StatusBadge};

#[component]
pub fn MemberPage() -> impl IntoView {
    let auth = expect_context::<Auth>();
    let params = use_params_map();
    let profile = RwSignal::new(None::<Result<MemberProfile, ApiError>>);
    Effect::new(move |_| {
        let id = params.with(|p| p.get("id").unwrap_or_default());
        profile.set(None);
        let id: String = id.chars().filter(char::is_ascii_digit).collect();
        spawn_local(async move {
            profile.set(Some(api::get(auth, format!("/api/v1/members/{id}")).await));
        });
    });
    view! {
        <section class="page">
            <a class="back" href="/members">"← Members"</a>
            {move || match profile.get() {
                None => view! { <Loading what="the member"/> }.into_any(),
                Some(Err(error)) => view! { <Failure error/> }.into_any(),
                Some(Ok(profile)) => view! { <Profile profile/> }.into_any(),
            }}
        </section>
    }
}

/// Whether the user may start an application for a member.
fn may_start() -> bool {
    expect_context::<crate::session::Auth>().can(leads_domain::permissions::Permission::LeadsProxy)
}

#[component]
fn Profile(profile: MemberProfile) -> impl IntoView {
    let member = profile.member.clone();
    let name = member.name.clone().unwrap_or_else(|| "Unnamed".into());
    let address = profile.address.as_ref().map(|a| {
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
    view! {
        <div class="page-head">
            <div>
                <h1>{name.clone()}</h1>
                <p class="muted">{format!("Member {}", member.member_number)}</p>
            </div>
            <div class="head-badges">
                <span class="tag">{registration(&member)}</span>
                {may_start().then(|| {
                    let href = format!(
                        "/leads/new?name={}&email={}",
                        crate::api::encode(member.name.as_deref().unwrap_or_default()),
                        crate::api::encode(member.email.as_deref().unwrap_or_default())
                    );
                    view! { <a class="button button-primary" href=href>"Start application"</a> }
                })}
            </div>
        </div>
        <section class="card" aria-labelledby="identity-title">
            <h2 id="identity-title">"Identity"</h2>
            <dl class="facts">
                <dt>"Name"</dt><dd>{name}</dd>
                <dt>"Email"</dt><dd>{member.email.clone().unwrap_or_else(|| "—".into())}</dd>
                <dt>"Phone"</dt><dd>{member.phone.clone().unwrap_or_else(|| "—".into())}</dd>
                <dt>"Date of birth"</dt>
                <dd>{profile.date_of_birth.map(format::date).unwrap_or_else(|| "—".into())}</dd>
                <dt>"Address"</dt><dd>{address.unwrap_or_else(|| "—".into())}</dd>
                <dt>"SSN"</dt><dd>{profile.ssn_masked.clone().unwrap_or_else(|| "—".into())}</dd>
                <dt>"Borrower"</dt><dd>{registration(&member)}</dd>
                <dt>"Member since"</dt><dd>{format::day(member.created_at)}</dd>
            </dl>
        </section>
        <section class="card" aria-labelledby="member-leads-title">
            <h2 id="member-leads-title">"Leads"</h2>
            {if profile.leads.is_empty() {
                view! { <p class="muted">"No leads."</p> }.into_any()
            } else {
                view! {
                    <table class="table" aria-label="Member's leads">
                        <thead><tr>
                            <th scope="col">"Reference"</th>
                            <th scope="col">"Product or service"</th>
                            <th scope="col">"Status"</th>
                            <th scope="col">"Amount"</th>
                            <th scope="col">"Started"</th>
                        </tr></thead>
                        <tbody>
                            {profile.leads.iter().map(|lead| view! {
                                <tr class:archived=lead.archived>
                                    <td><a href=format!("/leads/{}", lead.id.0)>{lead.reference.clone()}</a></td>
                                    <td>{lead.item.name.clone()}</td>
                                    <td>
                                        <StatusBadge status=lead.status/>
                                        {lead.archived.then(|| view! { <span class="tag">"Archived"</span> })}
                                    </td>
                                    <td class="number">{format::money(lead.amount)}</td>
                                    <td>{format::day(lead.created_at)}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
        </section>
        <section class="card" aria-labelledby="products-title">
            <h2 id="products-title">"Products held"</h2>
            {if profile.products.is_empty() {
                view! { <p class="muted">"No products held."</p> }.into_any()
            } else {
                view! {
                    <table class="table" aria-label="Products held">
                        <thead><tr>
                            <th scope="col">"Product"</th>
                            <th scope="col">"Amount"</th>
                            <th scope="col">"Rate"</th>
                            <th scope="col">"Term"</th>
                            <th scope="col">"Opened"</th>
                        </tr></thead>
                        <tbody>
                            {profile.products.iter().map(|p| view! {
                                <tr>
                                    <td>{format::code(&p.product_type)}</td>
                                    <td class="number">{format::money(p.amount)}</td>
                                    <td>{p.rate_percent.map(|r| format!("{r:.2}%")).unwrap_or_else(|| "—".into())}</td>
                                    <td>{p.term_months.map(|t| format!("{t} months")).unwrap_or_else(|| "—".into())}</td>
                                    <td>{format::date(p.opened_on)}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
        </section>
    }
}
