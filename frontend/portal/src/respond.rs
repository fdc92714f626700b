//! The page an applicant reaches from a request's mailed link: what is asked, a box for
//! the answer and a place to attach files. It needs no account; the link is the key.

#![cfg_attr(not(feature = "borrower"), allow(dead_code))]

use leads_domain::wire::PublicRequest;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

use crate::api::{self, ApiError};
use crate::format;
use crate::offers::{Brand, BrandBar};

#[component]
pub fn RespondPage(token: String) -> impl IntoView {
    let request = RwSignal::new(None::<Result<PublicRequest, ApiError>>);
    let brand = Brand(RwSignal::new(String::new()));
    let path = format!("/api/v1/public/requests/{}", api::encode(&token));
    {
        let path = path.clone();
        spawn_local(async move {
            let found = api::get_public::<PublicRequest>(&path).await;
            if let Ok(asked) = &found {
                brand.set(&asked.institution);
            }
            request.set(Some(found));
        });
    }
    let sent = RwSignal::new(false);
    let answer_path = format!("{path}/answer");

    view! {
        <main id="main" class="respond">
            <BrandBar brand/>
            {move || match request.get() {
                None => view! { <p class="state" role="status">"Loading the request…"</p> }.into_any(),
                Some(Err(error)) => view! {
                    <section class="card">
                        <h1>"This link does not work"</h1>
                        <p role="alert">{error.message()}</p>
                    </section>
                }.into_any(),
                Some(Ok(request)) => {
                    let open = request.status == "open";
                    let answer_path = answer_path.clone();
                    view! {
                        <section class="card">
                            <p class="muted">{format!("{} · {}", request.institution, request.item)}</p>
                            <h1>{request.title.clone()}</h1>
                            <p class="request-text">{request.description.clone()}</p>
                            {request.upload_prompt.clone().map(|p| view! { <p><strong>"Please upload: "</strong>{p}</p> })}
                            {request.due_on.map(|d| view! { <p class="muted">{format!("Please answer by {}.", format::date(d))}</p> })}
                            {move || if open {
                                let path = answer_path.clone();
                                view! { <AnswerForm path=path token=None sent=sent/> }.into_any()
                            } else {
                                view! { <Answered/> }.into_any()
                            }}
                        </section>
                    }.into_any()
                }
            }}
        </main>
    }
}

/// What the applicant sees once their answer is in.
#[component]
pub fn Answered() -> impl IntoView {
    view! {
        <p class="state state-done" role="status">
            "Thank you. Your answer has been sent, and the credit union has been told."
        </p>
    }
}

/// A box for the answer and a place to attach files, sent to `path` (with `token` as
/// Bearer when given); `sent` turns true once the answer is in, and the form gives way
/// to a thank-you.
#[component]
pub fn AnswerForm(path: String, token: Option<String>, sent: RwSignal<bool>) -> impl IntoView {
    let answer = RwSignal::new(String::new());
    let failure = RwSignal::new(None::<String>);
    let sending = RwSignal::new(false);
    let files = NodeRef::<leptos::html::Input>::new();
    let target = StoredValue::new((path, token));

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        failure.set(None);
        let Ok(form) = web_sys::FormData::new() else {
            failure.set(Some("This browser cannot send files.".into()));
            return;
        };
        let _ = form.append_with_str("answer", &answer.get_untracked());
        let mut attached = 0;
        if let Some(list) = files.get_untracked().and_then(|input| input.files()) {
            for index in 0..list.length() {
                if let Some(file) = list.item(index) {
                    let blob: &web_sys::Blob = file.unchecked_ref();
                    let _ = form.append_with_blob_and_filename("file", blob, &file.name());
                    attached += 1;
                }
            }
        }
        if answer.get_untracked().trim().is_empty() && attached == 0 {
            failure.set(Some("Write an answer or attach a file.".into()));
            return;
        }
        sending.set(true);
        let (path, token) = target.get_value();
        spawn_local(async move {
            let result = api::post_form_public(&path, form, token.as_deref()).await;
            sending.set(false);
            match result {
                Ok(()) => sent.set(true),
                Err(error) => failure.set(Some(error.message())),
            }
        });
    };

    view! {
        {move || if sent.get() {
            view! { <Answered/> }.into_any()
        } else {
            view! {
                <form class="respond-form" on:submit=submit>
                    {move || failure.get().map(|m| view! { <p class="state state-error" role="alert">{m}</p> })}
                    <label class="field">
                        <span>"Your answer"</span>
                        <textarea rows="4" maxlength="4000"
                            prop:value=move || answer.get()
                            on:input=move |ev| answer.set(event_target_value(&ev))></textarea>
                    </label>
                    <label class="field">
                        <span>"Attach files"</span>
                        <input type="file" multiple accept=".pdf,.jpg,.jpeg,.png,.heic,application/pdf,image/jpeg,image/png,image/heic" node_ref=files/>
                    </label>
                    <p class="muted">"PDF, JPEG, PNG or HEIC, up to 20 MB in all."</p>
                    <button type="submit" class="button button-primary" disabled=move || sending.get()>
                        {move || if sending.get() { "Sending…" } else { "Send answer" }}
                    </button>
                </form>
            }.into_any()
        }}
    }
}
