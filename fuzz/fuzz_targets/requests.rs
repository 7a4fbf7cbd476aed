//! Request parsing, end to end: arbitrary methods, paths, queries, content types and
//! bodies are sent, in process, through the whole HTTP application (router, extractors,
//! JSON and form parsing, field validation, the domain's rules) on a SQLite demo database,
//! with the bearer tokens of the demo's users. No request may panic or get a 5xx.
//!
//! Run it with `fuzz/run.sh [seconds]` (see the README's "Fuzzing" section).

#![no_main]

use std::sync::OnceLock;

use arbitrary::Arbitrary;
use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use libfuzzer_sys::fuzz_target;
use tower::ServiceExt;

struct World {
    rt: tokio::runtime::Runtime,
    router: Router,
    /// Bearer tokens, one per demo user (every role).
    tokens: Vec<String>,
    cases: Vec<String>,
    people: Vec<String>,
    /// Every operation of the OpenAPI document except the few that would end the
    /// fuzzer's own sessions (sign-out, sign-out everywhere, a change of password).
    routes: Vec<(Method, String)>,
    _dir: tempfile::TempDir,
}

#[derive(Arbitrary, Debug)]
struct Input {
    user: u8,
    route: u16,
    case: u8,
    /// Replaces path parameters when present (otherwise an existing case or person).
    path_param: Option<String>,
    query: Option<String>,
    content_type: u8,
    csrf: Option<String>,
    body: Vec<u8>,
}

const CONTENT_TYPES: [&str; 5] = [
    "application/json",
    "application/problem+json; charset=utf-8",
    "application/x-www-form-urlencoded",
    "text/plain",
    "",
];

async fn call(router: &Router, req: Request<Body>) -> (StatusCode, Vec<u8>) {
    let res = router.clone().oneshot(req).await.expect("the router is infallible");
    let status = res.status();
    let body = res.into_body().collect().await.expect("a body").to_bytes();
    (status, body.to_vec())
}

async fn get_json(router: &Router, token: &str, uri: &str) -> serde_json::Value {
    let req = Request::get(uri)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap();
    let (status, body) = call(router, req).await;
    assert!(status.is_success(), "GET {uri}: {status}");
    serde_json::from_slice(&body).unwrap()
}

fn world() -> &'static World {
    static WORLD: OnceLock<World> = OnceLock::new();
    WORLD.get_or_init(|| {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite:{}", dir.path().join("fuzz.db").display());
        let (router, tokens, cases, people, routes) = rt.block_on(async {
            let store = homeward_store::Store::connect(&url).await.unwrap();
            store.migrate().await.unwrap();
            let app = homeward_app::App::new(store, homeward_app::Config::default());
            let demo = app.seed_demo(20, 7).await.unwrap();
            let router =
                homeward_server::router(app, homeward_server::ServerOptions::default());
            let mut tokens = Vec::new();
            for u in &demo.users {
                let body = serde_json::json!({"username": u.username, "password": u.password, "name": "fuzz"});
                let req = Request::post("/api/tokens")
                    .header(header::CONTENT_TYPE, "application/json")
                    .body(Body::from(body.to_string()))
                    .unwrap();
                let (status, body) = call(&router, req).await;
                assert!(status.is_success(), "token for {}: {status}", u.username);
                let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
                tokens.push(v["token"].as_str().unwrap().to_string());
            }
            // Cases and people the users can see, so that bodies reach the rules.
            let (mut cases, mut people) = (Vec::new(), Vec::new());
            for t in &tokens {
                let list = get_json(&router, t, "/api/cases?per_page=5").await;
                for item in list["items"].as_array().into_iter().flatten() {
                    let id = item["id"].as_str().unwrap().to_string();
                    let case = get_json(&router, t, &format!("/api/cases/{id}")).await;
                    for m in case["case"]["members"].as_array().into_iter().flatten() {
                        if let Some(p) = m["person_id"].as_str() {
                            people.push(p.to_string());
                        }
                    }
                    cases.push(id);
                }
            }
            cases.dedup();
            let doc = get_json(&router, &tokens[0], "/api/openapi.json").await;
            let mut routes = Vec::new();
            for (path, item) in doc["paths"].as_object().unwrap() {
                for method in item.as_object().unwrap().keys() {
                    let Ok(m) = method.to_ascii_uppercase().parse::<Method>() else {
                        continue;
                    };
                    let ends_sessions = (path == "/api/session" && m == Method::DELETE)
                        || path == "/api/session/logout-everywhere"
                        || path == "/api/session/password";
                    if !ends_sessions {
                        routes.push((m, path.clone()));
                    }
                }
            }
            (router, tokens, cases, people, routes)
        });
        assert!(!cases.is_empty() && !people.is_empty() && !routes.is_empty());
        World {
            rt,
            router,
            tokens,
            cases,
            people,
            routes,
            _dir: dir,
        }
    })
}

/// Fills `{…}` path parameters: the fuzzer's string when given, else a known case or
/// person, else a nil id.
fn fill(path: &str, w: &World, input: &Input) -> String {
    let pick = |v: &[String]| v[input.case as usize % v.len()].clone();
    let mut out = String::new();
    let mut rest = path;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let Some(end) = rest[start..].find('}') else {
            break;
        };
        let name = &rest[start + 1..start + end];
        out.push_str(&match (&input.path_param, name) {
            (Some(p), _) => p.clone(),
            (None, "case_id") => pick(&w.cases),
            (None, "person_id") => pick(&w.people),
            (None, _) => "00000000-0000-0000-0000-000000000000".into(),
        });
        rest = &rest[start + end + 1..];
    }
    out.push_str(rest);
    out
}

fuzz_target!(|input: Input| {
    let w = world();
    let (method, path) = &w.routes[input.route as usize % w.routes.len()];
    let mut uri = fill(path, w, &input);
    if let Some(q) = &input.query {
        uri.push('?');
        uri.push_str(q);
    }
    let mut req = Request::builder()
        .method(method.clone())
        .uri(&uri)
        .header(
            header::AUTHORIZATION,
            format!("Bearer {}", w.tokens[input.user as usize % w.tokens.len()]),
        );
    let ct = CONTENT_TYPES[input.content_type as usize % CONTENT_TYPES.len()];
    if !ct.is_empty() {
        req = req.header(header::CONTENT_TYPE, ct);
    }
    if let Some(t) = &input.csrf {
        req = req.header("x-csrf-token", t.as_str());
    }
    // A URI or header the HTTP layer itself would never deliver is not a request.
    let Ok(req) = req.body(Body::from(input.body.clone())) else {
        return;
    };
    let (status, body) = w.rt.block_on(call(&w.router, req));
    assert!(
        !status.is_server_error(),
        "{method} {uri} -> {status}: {}",
        String::from_utf8_lossy(&body)
    );
});
