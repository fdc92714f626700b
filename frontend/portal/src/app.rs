//! The portal's frame: sign-in gate, header and navigation, and the pages' routes.

use leads_domain::permissions::Permission;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::{Route, Router, Routes, A};
use leptos_router::hooks::use_location;
use leptos_router::path;

use crate::api;
use crate::lead::LeadPage;
use crate::leads::LeadsPage;
use crate::member::MemberPage;
use crate::members::MembersPage;
use crate::new_lead::NewLeadPage;
use crate::session::{stored_refresh, Auth};
use crate::sign_in::SignIn;
use crate::widgets::Loading;

/// The leads table's address last shown, so that a lead's "back" returns to it.
#[derive(Clone, Copy)]
pub struct LastTable(pub RwSignal<String>);

#[component]
pub fn App() -> impl IntoView {
    let auth = Auth::new();
    provide_context(auth);
    provide_context(LastTable(RwSignal::new("/".into())));

    // A page brought back by the browser's Back button after signing out still holds the
    // old session in memory: forget it.
    if let Some(window) = web_sys::window() {
        let restored = wasm_bindgen::closure::Closure::<dyn Fn(web_sys::PageTransitionEvent)>::new(
            move |event: web_sys::PageTransitionEvent| {
                if event.persisted() && stored_refresh().is_none() {
                    auth.sign_out(Some("You have signed out.".into()));
                }
            },
        );
        let _ = window.add_event_listener_with_callback(
            "pageshow",
            wasm_bindgen::JsCast::unchecked_ref(restored.as_ref()),
        );
        restored.forget();
    }

    if let Some(token) = stored_refresh() {
        spawn_local(async move {
            let resumed = match api::refresh(token).await {
                Ok(tokens) => api::start_session(auth, tokens).await,
                Err(error) => Err(error),
            };
            if resumed.is_err() {
                auth.sign_out(Some(
                    "Your session has expired. Please sign in again.".into(),
                ));
            }
            auth.resuming.set(false);
        });
    }

    view! {
        <Router>
            {move || {
                if auth.resuming.get() {
                    view! { <main class="centre"><Loading what="your session"/></main> }.into_any()
                } else if auth.session.with(Option::is_none) {
                    view! { <SignIn/> }.into_any()
                } else {
                    view! { <Shell/> }.into_any()
                }
            }}
        </Router>
    }
    .into_any()
}

/// The borrower's pages, by address: an institution's application pages, the applicant
/// portal, and the page a request's link opens. None needs a staff session.
#[cfg(feature = "borrower")]
#[component]
pub fn BorrowerApp() -> impl IntoView {
    let path = web_sys::window()
        .and_then(|w| w.location().pathname().ok())
        .unwrap_or_default();
    if let Some(token) = path.strip_prefix("/respond/") {
        return view! { <crate::respond::RespondPage token=token.to_string()/> }.into_any();
    }
    if let Some(rest) = path.strip_prefix("/applicant/") {
        return view! { <crate::applicant::ApplicantPage path=rest.to_string()/> }.into_any();
    }
    if let Some(rest) = path.strip_prefix("/apply/") {
        return view! { <crate::apply::ApplyPage path=rest.to_string()/> }.into_any();
    }
    view! { <main class="apply"><p class="state">"There is no such page."</p></main> }.into_any()
}

#[component]
fn Shell() -> impl IntoView {
    let auth = expect_context::<Auth>();
    let location = use_location();
    let on_leads = move || {
        let path = location.pathname.get();
        path == "/" || path.starts_with("/leads")
    };
    let on_members = move || location.pathname.get().starts_with("/members");
    let sign_out = move |_| {
        let refresh = auth.session.get_untracked().map(|s| s.refresh);
        auth.sign_out(Some("You have signed out.".into()));
        if let Some(refresh) = refresh {
            spawn_local(api::logout(refresh));
        }
    };
    let who = move || {
        auth.session.with(|s| {
            s.as_ref()
                .map(|s| {
                    (
                        s.me.user.name.clone(),
                        s.me.institution.name.clone(),
                        s.me.role.clone(),
                    )
                })
                .unwrap_or_default()
        })
    };

    view! {
        <a class="skip" href="#main">"Skip to content"</a>
        <header class="topbar">
            <div class="brand">
                <span class="logo" aria-hidden="true">"L"</span>
                <span class="brand-name">"Leads"</span>
                <span class="institution">{move || who().1}</span>
            </div>
            <nav aria-label="Main">
                <A href="/" attr:class=move || if on_leads() { "nav-link current" } else { "nav-link" }>
                    "Leads"
                </A>
                {move || auth.can(Permission::MembersRead).then(|| view! {
                    <A href="/members" attr:class=move || if on_members() { "nav-link current" } else { "nav-link" }>
                        "Members"
                    </A>
                })}
            </nav>
            <div class="account">
                <span class="user">
                    <span class="user-name">{move || who().0}</span>
                    <span class="user-role">{move || who().2}</span>
                </span>
                <button type="button" class="button button-quiet" on:click=sign_out>"Sign out"</button>
            </div>
        </header>
        <main id="main" tabindex="-1">
            <Routes fallback=|| view! { <NotFound/> }>
                <Route path=path!("/") view=LeadsPage/>
                <Route path=path!("/leads") view=LeadsPage/>
                <Route path=path!("/leads/new") view=NewLeadPage/>
                <Route path=path!("/leads/:id") view=LeadPage/>
                <Route path=path!("/members") view=MembersPage/>
                <Route path=path!("/members/:id") view=MemberPage/>
            </Routes>
        </main>
    }
}

#[component]
fn NotFound() -> impl IntoView {
    view! {
        <section class="page">
            <h1>"Page not found"</h1>
            <p>"There is nothing at this address. "<A href="/">"Go to the leads table"</A></p>
        </section>
    }
}
