//! What the borrower's pages show before an application: the credit union's name at
//! the top, and what it offers.

use leads_domain::wire::{CatalogItem, PublicInstitution};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{self, ApiError};

/// The name of the credit union the page is about, once known, for its heading and
/// the browser's title.
#[derive(Clone, Copy)]
pub struct Brand(pub RwSignal<String>);

impl Brand {
    pub fn set(self, name: &str) {
        self.0.set(name.to_string());
        if let Some(document) = web_sys::window().and_then(|w| w.document()) {
            document.set_title(name);
        }
    }

    fn initial(self) -> String {
        self.0
            .with(|n| n.chars().next().map(String::from).unwrap_or_default())
    }
}

/// The credit union at `slug` and what it offers; its name goes into `brand`.
pub async fn offers(
    slug: &str,
    brand: Brand,
) -> Result<(PublicInstitution, Vec<CatalogItem>), ApiError> {
    let base = format!("/api/v1/public/institutions/{}", api::encode(slug));
    let about = api::get_public::<PublicInstitution>(&base).await?;
    let offered = api::get_public::<Vec<CatalogItem>>(&format!("{base}/catalog")).await?;
    brand.set(&about.name);
    Ok((about, offered))
}

#[component]
pub fn Splash(institution: String) -> impl IntoView {
    let found = RwSignal::new(None::<Result<(PublicInstitution, Vec<CatalogItem>), ApiError>>);
    let slug = institution.clone();
    let brand = expect_context::<Brand>();
    spawn_local(async move {
        found.set(Some(offers(&slug, brand).await));
    });
    view! {
        {move || match found.get() {
            None => view! { <p class="state" role="status">"Loading…"</p> }.into_any(),
            Some(Err(error)) => view! { <p class="state state-error" role="alert">{error.message()}</p> }.into_any(),
            Some(Ok((about, items))) => {
                let slug = institution.clone();
                view! {
                    <h1>{format!("Apply with {}", about.name)}</h1>
                    <ul class="offers">
                        {items.into_iter().map(|item| {
                            let href = format!("/apply/{}/{}", slug, item.slug);
                            view! {
                                <li class="card offer">
                                    <a class="offer-link" href=href>{item.name.clone()}</a>
                                    <p class="muted">{item.description.clone()}</p>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }
        }}
    }
}

/// The credit union's initial and name, at the top of a borrower's page.
#[component]
pub fn BrandBar(brand: Brand) -> impl IntoView {
    view! {
        <div class="brand respond-brand">
            <span class="logo" aria-hidden="true">{move || brand.initial()}</span>
            <span class="brand-name">{move || brand.0.get()}</span>
        </div>
    }
}
