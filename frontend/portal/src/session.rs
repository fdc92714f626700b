//! Who is signed in. The access token lives in memory only; the refresh token is kept
//! in the tab's session storage so that a reload keeps the session, while each tab
//! holds its own (two tabs sharing one single-use refresh token would sign each other
//! out).

use leads_domain::permissions::Permission;
use leads_domain::wire::Me;
use leptos::prelude::*;

const REFRESH_KEY: &str = "leads.refresh";

#[derive(Clone, Debug)]
pub struct Session {
    pub access: String,
    pub refresh: String,
    pub me: Me,
}

/// The session state every page reads; provided once by the app.
#[derive(Clone, Copy)]
pub struct Auth {
    pub session: RwSignal<Option<Session>>,
    /// Why the user was signed out, shown on the sign-in page.
    pub notice: RwSignal<Option<String>>,
    /// True while a stored session is being resumed at start.
    pub resuming: RwSignal<bool>,
}

impl Auth {
    pub fn new() -> Self {
        Self {
            session: RwSignal::new(None),
            notice: RwSignal::new(None),
            resuming: RwSignal::new(stored_refresh().is_some()),
        }
    }

    /// Whether the signed-in user holds `permission` (reactive).
    pub fn can(&self, permission: Permission) -> bool {
        self.session.with(|s| {
            s.as_ref()
                .is_some_and(|s| s.me.permissions.contains(&permission))
        })
    }

    pub fn sign_in(&self, session: Session) {
        store_refresh(Some(&session.refresh));
        self.notice.set(None);
        self.session.set(Some(session));
    }

    /// Ends the session here, with the reason shown on the sign-in page.
    pub fn sign_out(&self, notice: Option<String>) {
        store_refresh(None);
        self.notice.set(notice);
        self.session.set(None);
    }

    pub fn replace_tokens(&self, access: String, refresh: String) {
        store_refresh(Some(&refresh));
        self.session.update(|s| {
            if let Some(s) = s {
                s.access = access;
                s.refresh = refresh;
            }
        });
    }
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok().flatten()
}

pub fn stored_refresh() -> Option<String> {
    storage()?.get_item(REFRESH_KEY).ok().flatten()
}

fn store_refresh(token: Option<&str>) {
    if let Some(storage) = storage() {
        let _ = match token {
            Some(token) => storage.set_item(REFRESH_KEY, token),
            None => storage.remove_item(REFRESH_KEY),
        };
    }
}
