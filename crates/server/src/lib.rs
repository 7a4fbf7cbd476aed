//! Homeward's HTTP interface. Only this crate knows HTTP and JSON: handlers parse
//! requests, call the application services, and shape responses.

pub mod api;
pub mod dto;
pub mod exact;
pub mod extract;
pub mod health;
pub mod problem;
pub mod state;
mod strict;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request};
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use homeward_app::App;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{
    MakeRequestUuid, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use utoipa::openapi::OpenApi;

pub use state::{AppState, ServerOptions};

use crate::problem::Problem;

/// Request bodies larger than this are refused with 413.
pub const MAX_BODY_BYTES: usize = 256 * 1024;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The OpenAPI document of the API.
pub fn openapi() -> OpenApi {
    let mut doc = api::router().split_for_parts().1;
    api::complete(&mut doc);
    doc
}

/// Headers on every response, errors, timeouts and panics included. Pages set their own
/// content security policy, and downloads their caching, first; everything else (JSON)
/// loads nothing, and nothing is kept by shared or stored caches (responses carry
/// personal data).
fn with_security_headers(router: Router) -> Router {
    router
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
}

fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    Problem::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal",
        "Internal error",
    )
    .detail("something went wrong on our side; it has been logged")
    .into_response()
}

async fn not_found() -> Problem {
    Problem::not_found().detail("no such endpoint; see /api/openapi.json")
}

/// Unknown API paths get a problem document; anything else the web's "not found" page.
async fn fallback(web: homeward_web::WebState, req: Request) -> Response {
    if req.uri().path().starts_with("/api/") {
        not_found().await.into_response()
    } else {
        homeward_web::pages::not_found(web, req).await
    }
}

async fn method_not_allowed(req: Request, next: axum::middleware::Next) -> Response {
    let res = next.run(req).await;
    if res.status() == StatusCode::METHOD_NOT_ALLOWED {
        let allow = res.headers().get(header::ALLOW).cloned();
        let mut p = Problem::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method-not-allowed",
            "Method not allowed",
        )
        .into_response();
        if let Some(a) = allow {
            p.headers_mut().insert(header::ALLOW, a);
        }
        return p;
    }
    res
}

/// The whole HTTP application.
pub fn router(app: App, options: ServerOptions) -> Router {
    let web = homeward_web::WebState {
        app: app.clone(),
        secure_cookies: options.public_url.starts_with("https://"),
        public_url: options.public_url.trim_end_matches('/').to_string(),
    };
    let state = AppState {
        app,
        options: Arc::new(options),
    };
    let (api, mut doc) = api::router().split_for_parts();
    api::complete(&mut doc);
    // Written once: the document (some 800 KB) is fixed for the life of the process, and
    // was cloned and serialized again on every request. It serializes plain data, so it
    // cannot fail.
    let doc = axum::body::Bytes::from(serde_json::to_vec(&doc).unwrap_or_default());
    let trace = TraceLayer::new_for_http().make_span_with(|req: &Request| {
        // The matched route, never the raw URI: no personal data in logs.
        let route = req
            .extensions()
            .get::<MatchedPath>()
            .map(|p| p.as_str().to_string())
            .unwrap_or_else(|| "unmatched".into());
        let id = req
            .extensions()
            .get::<RequestId>()
            .and_then(|r| r.header_value().to_str().ok())
            .unwrap_or("")
            .to_string();
        tracing::info_span!("request", method = %req.method(), route, request_id = id)
    });
    let router = api
        .route(
            "/api/openapi.json",
            axum::routing::get(move || {
                let doc = doc.clone();
                async move {
                    (
                        [(axum::http::header::CONTENT_TYPE, "application/json")],
                        doc,
                    )
                }
            }),
        )
        .with_state(state)
        .merge(homeward_web::router(web.clone()))
        .fallback(move |req: Request| fallback(web.clone(), req))
        .layer(axum::middleware::from_fn(method_not_allowed))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(CompressionLayer::new())
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(30),
        ))
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(trace);
    with_security_headers(router)
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
}

/// Serves until `shutdown` resolves.
pub async fn serve(
    listener: tokio::net::TcpListener,
    router: Router,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}
