//! Static assets, compiled into the binary (no CDN: field offices may be offline) and
//! served under names that carry a hash of their content, so browsers cache them for good.

use std::sync::LazyLock;

use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

pub struct Asset {
    /// `app.3f2a9c1d.css`
    pub name: String,
    pub content_type: &'static str,
    pub body: &'static [u8],
}

fn asset(stem: &str, ext: &str, content_type: &'static str, body: &'static [u8]) -> Asset {
    let hash: String = Sha256::digest(body)
        .iter()
        .take(5)
        .map(|b| format!("{b:02x}"))
        .collect();
    Asset {
        name: format!("{stem}.{hash}.{ext}"),
        content_type,
        body,
    }
}

pub static CSS: LazyLock<Asset> = LazyLock::new(|| {
    asset(
        "app",
        "css",
        "text/css; charset=utf-8",
        include_bytes!("../static/app.css"),
    )
});

pub static JS: LazyLock<Asset> = LazyLock::new(|| {
    asset(
        "app",
        "js",
        "text/javascript; charset=utf-8",
        include_bytes!("../static/app.js"),
    )
});

pub fn css_url() -> String {
    format!("/static/{}", CSS.name)
}

pub fn js_url() -> String {
    format!("/static/{}", JS.name)
}

pub async fn serve(Path(file): Path<String>) -> Response {
    for a in [&*CSS, &*JS] {
        if a.name == file {
            let mut res = a.body.into_response();
            let h = res.headers_mut();
            h.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static(a.content_type),
            );
            h.insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=31536000, immutable"),
            );
            return res;
        }
    }
    StatusCode::NOT_FOUND.into_response()
}

/// `/favicon.ico`: browsers ask for it on every site; a day's cache.
pub async fn favicon() -> Response {
    let mut res = include_bytes!("../static/favicon.ico")
        .as_slice()
        .into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("image/vnd.microsoft.icon"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=86400"),
    );
    res
}
