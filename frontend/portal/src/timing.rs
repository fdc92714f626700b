//! User Timing marks around the leads table's loads, readable with the browser's
//! `performance.getEntriesByName`: when a load was asked for, when its data arrived,
//! and the first frame after the rows were put in the page.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

pub fn mark(name: &str) {
    if let Some(performance) = web_sys::window().and_then(|w| w.performance()) {
        performance.clear_marks_with_mark_name(name);
        let _ = performance.mark(name);
    }
}

/// Marks `name` at the start of the next animation frame, once the page has been
/// updated and laid out.
pub fn mark_next_frame(name: &'static str) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let callback = Closure::once_into_js(move || mark(name));
    let _ = window.request_animation_frame(callback.unchecked_ref());
}
