//! What every request can reach: the pool, the keys and the configuration.

use std::sync::Arc;

use leads_persistence::{DbConnection, Pool, StoreError};
use tokio::sync::Semaphore;

use crate::config::Config;
use crate::errors::ApiError;
use crate::keys::Keys;
use crate::portal::Portal;
use crate::storage::{DirectoryStore, DocumentStore};
use crate::throttle::Throttle;

#[derive(Clone)]
pub struct AppState {
    pub pool: Pool,
    pub keys: Keys,
    pub config: Arc<Config>,
    /// The built lender portal, when there is one to serve.
    pub portal: Option<Portal>,
    /// The built borrower's pages, when there are any to serve.
    pub borrower: Option<Portal>,
    /// Where documents' bytes are kept.
    pub documents: Arc<dyn DocumentStore>,
    /// How often one address may start applications.
    pub starts: Throttle,
    /// Bounds blocking database work to the pool's size, so that a slow database makes
    /// requests queue here instead of filling the blocking thread pool.
    permits: Arc<Semaphore>,
}

impl AppState {
    pub fn new(pool: Pool, keys: Keys, config: Config) -> Self {
        let permits = Arc::new(Semaphore::new(config.pool_size as usize));
        let documents = Arc::new(DirectoryStore::new(&config.data_dir.join("documents")));
        let starts = Throttle::new(config.start_limit, std::time::Duration::from_secs(600));
        Self {
            pool,
            keys,
            config: Arc::new(config),
            portal: None,
            borrower: None,
            documents,
            starts,
            permits,
        }
    }

    pub fn with_portal(mut self, portal: Option<Portal>) -> Self {
        self.portal = portal;
        self
    }

    pub fn with_borrower_pages(mut self, pages: Option<Portal>) -> Self {
        self.borrower = pages;
        self
    }

    /// Runs `work` with a pooled connection on the blocking thread pool.
    pub async fn db<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConnection) -> Result<T, ApiError> + Send + 'static,
    {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| ApiError::Unavailable("shutting down".into()))?;
        let pool = self.pool.clone();
        actix_web::web::block(move || {
            let mut conn = pool.get().map_err(StoreError::from)?;
            work(&mut conn)
        })
        .await
        .map_err(ApiError::internal)?
    }
}
