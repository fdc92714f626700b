//! Saved views beside the leads table: a user names the filter and sort on screen, for
//! themselves or for the whole institution, and returns to it in one click.

use leads_domain::wire::{NewSavedView, SavedView};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api;
use crate::session::Auth;

/// The saved views, and saving the query now shown (`current`, without a cursor).
#[component]
pub fn SavedViews(current: Signal<String>) -> impl IntoView {
    let auth = expect_context::<Auth>();
    let views = RwSignal::new(Vec::<SavedView>::new());
    let load = move || {
        spawn_local(async move {
            if let Ok(found) = api::get::<Vec<SavedView>>(auth, "/api/v1/views".into()).await {
                views.set(found);
            }
        });
    };
    load();
    let naming = RwSignal::new(false);
    let name = RwSignal::new(String::new());
    let shared = RwSignal::new(false);
    let failure = RwSignal::new(None::<String>);

    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = NewSavedView {
            name: name.get_untracked(),
            query: current.get_untracked(),
            shared: shared.get_untracked(),
        };
        if body.name.trim().is_empty() {
            failure.set(Some("Name the view first.".into()));
            return;
        }
        spawn_local(async move {
            match api::post::<_, SavedView>(auth, "/api/v1/views".into(), &body).await {
                Ok(_) => {
                    naming.set(false);
                    name.set(String::new());
                    shared.set(false);
                    failure.set(None);
                    load();
                }
                Err(error) => failure.set(Some(error.message())),
            }
        });
    };
    let remove = move |id: i64| {
        spawn_local(async move {
            if api::delete(auth, format!("/api/v1/views/{id}"))
                .await
                .is_ok()
            {
                load();
            }
        });
    };

    view! {
        <nav class="saved-views" aria-label="Saved views">
            <span class="saved-title">"Views"</span>
            {move || {
                let list = views.get();
                if list.is_empty() {
                    view! { <span class="muted">"None saved yet."</span> }.into_any()
                } else {
                    list.into_iter().map(|v| {
                        let href = if v.query.is_empty() { "/".to_string() } else { format!("/?{}", v.query) };
                        let title = if v.mine {
                            if v.shared { "Yours, shared with the institution".to_string() } else { "Yours".to_string() }
                        } else {
                            format!("Shared by {}", v.owner.name)
                        };
                        let id = v.id;
                        let label = format!("Remove view {}", v.name);
                        view! {
                            <span class="saved-view">
                                <a href=href title=title>{v.name.clone()}</a>
                                {v.shared.then(|| view! { <span class="tag">"Shared"</span> })}
                                {v.mine.then(|| view! {
                                    <button type="button" class="link-button" aria-label=label on:click=move |_| remove(id)>"×"</button>
                                })}
                            </span>
                        }
                    }).collect_view().into_any()
                }
            }}
            {move || if naming.get() {
                view! {
                    <form class="save-view" on:submit=save>
                        <input type="text" aria-label="View name" maxlength="80" placeholder="Name this view"
                            prop:value=move || name.get()
                            on:input=move |ev| name.set(event_target_value(&ev))/>
                        <label class="check">
                            <input type="checkbox" prop:checked=move || shared.get()
                                on:change=move |ev| shared.set(event_target_checked(&ev))/>
                            "Share with the institution"
                        </label>
                        <button type="submit" class="button">"Save"</button>
                        <button type="button" class="button button-quiet" on:click=move |_| naming.set(false)>"Cancel"</button>
                    </form>
                }.into_any()
            } else {
                view! {
                    <button type="button" class="button button-quiet" on:click=move |_| naming.set(true)>"Save view"</button>
                }.into_any()
            }}
            {move || failure.get().map(|m| view! { <p class="state state-error" role="alert">{m}</p> })}
        </nav>
    }
}
