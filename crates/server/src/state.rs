//! What every handler shares.

use std::sync::Arc;

use homeward_app::App;

/// How the server is exposed.
#[derive(Debug, Clone)]
pub struct ServerOptions {
    /// The address users reach Homeward at; `https://...` makes cookies `Secure`.
    pub public_url: String,
    /// Trust `X-Forwarded-For` and `X-Forwarded-Proto` from a reverse proxy.
    pub trust_proxy: bool,
}

impl Default for ServerOptions {
    fn default() -> Self {
        Self {
            public_url: "http://localhost:8080".into(),
            trust_proxy: false,
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub app: App,
    pub options: Arc<ServerOptions>,
}
