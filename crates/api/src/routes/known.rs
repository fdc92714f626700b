//! The documented paths and their methods, to answer 405 (rather than 404) for a known
//! path asked with a method it does not allow.

use utoipa::openapi::OpenApi;

pub struct KnownRoutes(Vec<(Vec<String>, Vec<String>)>);

impl KnownRoutes {
    pub fn from_openapi(api: &OpenApi) -> Self {
        let routes = api
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let segments = path.split('/').map(str::to_string).collect();
                let methods = [
                    ("GET", item.get.is_some()),
                    ("POST", item.post.is_some()),
                    ("PUT", item.put.is_some()),
                    ("PATCH", item.patch.is_some()),
                    ("DELETE", item.delete.is_some()),
                ]
                .iter()
                .filter(|(_, present)| *present)
                .map(|(name, _)| (*name).to_string())
                .collect();
                (segments, methods)
            })
            .collect();
        Self(routes)
    }

    /// The methods a path allows, when it is a documented path.
    pub fn allowed_methods(&self, path: &str) -> Option<Vec<String>> {
        let asked: Vec<&str> = path.split('/').collect();
        self.0
            .iter()
            .find(|(segments, _)| {
                segments.len() == asked.len()
                    && segments
                        .iter()
                        .zip(&asked)
                        .all(|(s, a)| s == a || (s.starts_with('{') && !a.is_empty()))
            })
            .map(|(_, methods)| methods.clone())
    }
}
