//! A typed client of the Leads REST API, for native programs and the browser.
//!
//! Every error answer of the API is a problem document; the client returns it as
//! [`ClientError::Problem`] so callers can show the reason and the fields at fault.

use leads_domain::lead_query::LeadQuery;
use leads_domain::wire::{
    CatalogItem, LeadDetail, LeadPage, LoginRequest, Me, MemberPage, MemberProfile, NewLead,
    RefreshRequest, RevealedSsn, TokenResponse,
};
use leads_domain::{LeadId, MemberId, Problem};
use serde::de::DeserializeOwned;
use serde::Serialize;

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("request failed: {0}")]
    Http(#[from] reqwest::Error),
    #[error("{} {}", .0.status, .0.title)]
    Problem(Problem),
    #[error("unexpected answer {status}: {body}")]
    Unexpected { status: u16, body: String },
}

impl ClientError {
    /// The HTTP status of an error answer.
    pub fn status(&self) -> Option<u16> {
        match self {
            ClientError::Problem(problem) => Some(problem.status),
            ClientError::Unexpected { status, .. } => Some(*status),
            ClientError::Http(error) => error.status().map(|s| s.as_u16()),
        }
    }
}

/// Filters of the members list.
#[derive(Debug, Clone, Default, Serialize)]
pub struct MemberQuery {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub q: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Client {
    http: reqwest::Client,
    base: String,
    token: Option<String>,
}

impl Client {
    /// A client of the server at `base` (such as `http://127.0.0.1:8080`).
    pub fn new(base: impl Into<String>) -> Self {
        Self {
            http: reqwest::Client::new(),
            base: base.into().trim_end_matches('/').to_string(),
            token: None,
        }
    }

    /// The same client, sending `token` as its Bearer token.
    pub fn with_token(&self, token: impl Into<String>) -> Self {
        Self {
            token: Some(token.into()),
            ..self.clone()
        }
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    fn authorised(&self, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match &self.token {
            Some(token) => request.bearer_auth(token),
            None => request,
        }
    }

    async fn read<T: DeserializeOwned>(response: reqwest::Response) -> Result<T, ClientError> {
        let status = response.status();
        if status.is_success() {
            return Ok(response.json().await?);
        }
        let body = response.text().await?;
        match serde_json::from_str::<Problem>(&body) {
            Ok(problem) => Err(ClientError::Problem(problem)),
            Err(_) => Err(ClientError::Unexpected {
                status: status.as_u16(),
                body,
            }),
        }
    }

    async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, ClientError> {
        let response = self
            .authorised(self.http.get(self.url(path)))
            .send()
            .await?;
        Self::read(response).await
    }

    async fn post<B: Serialize, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<T, ClientError> {
        let request = self.http.post(self.url(path)).json(body);
        let response = self.authorised(request).send().await?;
        Self::read(response).await
    }

    pub async fn login(&self, email: &str, password: &str) -> Result<TokenResponse, ClientError> {
        let body = LoginRequest {
            email: email.into(),
            password: password.into(),
        };
        self.post("/api/v1/auth/login", &body).await
    }

    pub async fn refresh(&self, refresh_token: &str) -> Result<TokenResponse, ClientError> {
        let body = RefreshRequest {
            refresh_token: refresh_token.into(),
        };
        self.post("/api/v1/auth/refresh", &body).await
    }

    /// Runs a lead action (`assign`, `approve`, ...), sending `If-Match` when a version
    /// is given.
    pub async fn lead_action<B: Serialize>(
        &self,
        id: LeadId,
        action: &str,
        body: Option<&B>,
        if_match: Option<i32>,
    ) -> Result<LeadDetail, ClientError> {
        let mut request = self
            .http
            .post(self.url(&format!("/api/v1/leads/{}/{action}", id.0)));
        if let Some(body) = body {
            request = request.json(body);
        }
        if let Some(version) = if_match {
            request = request.header("if-match", format!("\"{version}\""));
        }
        let response = self.authorised(request).send().await?;
        Self::read(response).await
    }

    pub async fn reveal_ssn(&self, id: LeadId) -> Result<RevealedSsn, ClientError> {
        let request = self
            .http
            .post(self.url(&format!("/api/v1/leads/{}/reveal-ssn", id.0)));
        let response = self.authorised(request).send().await?;
        Self::read(response).await
    }

    /// Signs out: the refresh token stops working.
    pub async fn logout(&self, refresh_token: &str) -> Result<(), ClientError> {
        let body = RefreshRequest {
            refresh_token: refresh_token.into(),
        };
        let response = self
            .http
            .post(self.url("/api/v1/auth/logout"))
            .json(&body)
            .send()
            .await?;
        if response.status().is_success() {
            return Ok(());
        }
        Self::read::<serde_json::Value>(response).await.map(|_| ())
    }

    pub async fn me(&self) -> Result<Me, ClientError> {
        self.get("/api/v1/me").await
    }

    pub async fn catalog(&self) -> Result<Vec<CatalogItem>, ClientError> {
        self.get("/api/v1/catalog").await
    }

    pub async fn catalog_item(
        &self,
        id: leads_domain::CatalogItemId,
    ) -> Result<CatalogItem, ClientError> {
        self.get(&format!("/api/v1/catalog/{id}")).await
    }

    /// One page of the leads table.
    pub async fn leads(&self, query: &LeadQuery) -> Result<LeadPage, ClientError> {
        let encoded = serde_urlencoded::to_string(query).unwrap_or_default();
        self.get(&format!("/api/v1/leads?{encoded}")).await
    }

    pub async fn lead(&self, id: LeadId) -> Result<LeadDetail, ClientError> {
        self.get(&format!("/api/v1/leads/{id}")).await
    }

    pub async fn create_lead(&self, lead: &NewLead) -> Result<LeadDetail, ClientError> {
        self.post("/api/v1/leads", lead).await
    }

    pub async fn members(&self, query: &MemberQuery) -> Result<MemberPage, ClientError> {
        let encoded = serde_urlencoded::to_string(query).unwrap_or_default();
        self.get(&format!("/api/v1/members?{encoded}")).await
    }

    pub async fn member(&self, id: MemberId) -> Result<MemberProfile, ClientError> {
        self.get(&format!("/api/v1/members/{id}")).await
    }
}
