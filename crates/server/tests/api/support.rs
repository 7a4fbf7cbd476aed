//! A running Homeward: the real router on a real port, on a fresh database, with offices,
//! a programme and one signed-in user per role. Tests read like the users' steps.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, LazyLock, Mutex};

use chrono::{DateTime, Duration, Utc};
use homeward_app::auth::{hash_password, random_secret, secret_hash};
use homeward_app::{App, Config};
use homeward_domain::access::Role;
use homeward_domain::ids::{OfficeId, UserId};
use homeward_store::testing::TestDb;
use homeward_store::{AuthSession, UserRecord};
use serde_json::{Value, json};
use uuid::Uuid;

pub const PASSWORD: &str = "correct horse battery staple";
static HASH: LazyLock<String> = LazyLock::new(|| hash_password(PASSWORD).unwrap());

pub struct Resp {
    pub status: u16,
    pub body: Value,
    pub headers: reqwest::header::HeaderMap,
}

impl Resp {
    /// The codes of the problem's items.
    pub fn codes(&self) -> Vec<String> {
        self.body["errors"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|e| e["code"].as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default()
    }

    pub fn pointers(&self) -> Vec<String> {
        self.body["errors"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|e| e["pointer"].as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default()
    }

    #[track_caller]
    pub fn ok(self) -> Value {
        assert!(
            (200..300).contains(&self.status),
            "expected success, got {}: {}",
            self.status,
            self.body
        );
        self.body
    }

    /// Expects a problem+json "not found".
    #[track_caller]
    pub fn missing(&self) {
        assert_eq!(self.status, 404, "{}", self.body);
        assert_eq!(self.body["type"], "/problems/not-found", "{}", self.body);
    }

    /// Expects a problem+json of `status` that names `code`.
    #[track_caller]
    pub fn refused(&self, status: u16, code: &str) {
        assert_eq!(self.status, status, "{}", self.body);
        assert_eq!(
            self.headers
                .get("content-type")
                .and_then(|v| v.to_str().ok()),
            Some("application/problem+json")
        );
        assert!(
            self.codes().iter().any(|c| c == code),
            "{code} not in {}",
            self.body
        );
    }
}

/// The OpenAPI document as a contract: every response the tests receive is checked
/// against the schema documented for its route, method and status.
pub struct Contract {
    doc: Value,
    validators: Mutex<HashMap<String, Arc<jsonschema::Validator>>>,
}

/// Statuses any endpoint may answer with a problem document without listing them.
const GENERIC_PROBLEMS: [u16; 9] = [400, 401, 403, 404, 413, 415, 422, 429, 503];

impl Contract {
    fn template(&self, path: &str) -> Option<String> {
        let segs: Vec<&str> = path.trim_end_matches('/').split('/').collect();
        self.doc["paths"]
            .as_object()?
            .keys()
            .filter(|t| {
                let ts: Vec<&str> = t.split('/').collect();
                ts.len() == segs.len()
                    && ts
                        .iter()
                        .zip(&segs)
                        .all(|(a, b)| a.starts_with('{') || a == b)
            })
            .max_by_key(|t| t.split('/').filter(|s| !s.starts_with('{')).count())
            .cloned()
    }

    fn validator(&self, pointer: &str) -> Arc<jsonschema::Validator> {
        let mut cache = self.validators.lock().unwrap();
        cache
            .entry(pointer.to_string())
            .or_insert_with(|| {
                let schema = json!({
                    "$schema": "https://json-schema.org/draft/2020-12/schema",
                    "$ref": pointer,
                    "components": self.doc["components"],
                });
                Arc::new(
                    jsonschema::validator_for(&schema)
                        .unwrap_or_else(|e| panic!("schema {pointer}: {e}")),
                )
            })
            .clone()
    }

    /// Panics unless the response is what the document promises.
    pub fn check(&self, method: &str, path: &str, status: u16, content_type: &str, body: &Value) {
        if path == "/api/openapi.json" {
            return; // the document itself
        }
        let Some(template) = self.template(path) else {
            assert_eq!(
                status, 404,
                "{method} {path}: not in the OpenAPI document, yet answered {status}"
            );
            return;
        };
        let m = method.to_lowercase();
        let op = &self.doc["paths"][&template][&m];
        if op.is_null() {
            assert_eq!(
                status, 405,
                "{method} {template} is not documented, yet answered {status}"
            );
            return;
        }
        let documented = &op["responses"][status.to_string()];
        let what = format!("{method} {template} -> {status}");
        if documented.is_null() {
            assert!(
                GENERIC_PROBLEMS.contains(&status),
                "{what}: status not documented: {body}"
            );
            assert_eq!(content_type, "application/problem+json", "{what}");
            self.validate("#/components/schemas/Problem", body, &what);
            return;
        }
        let Some(content) = documented["content"].as_object() else {
            return; // no body documented (204)
        };
        let Some(media) = content.get(content_type) else {
            panic!(
                "{what}: answered {content_type}, documented {:?}",
                content.keys().collect::<Vec<_>>()
            );
        };
        let schema = &media["schema"];
        if let Some(r) = schema["$ref"].as_str() {
            self.validate(r, body, &what);
        } else if !schema.is_null() {
            let inline = json!({"$schema": "https://json-schema.org/draft/2020-12/schema", "allOf": [schema], "components": self.doc["components"]});
            let v = jsonschema::validator_for(&inline).unwrap();
            let errors: Vec<String> = v
                .iter_errors(body)
                .map(|e| format!("{} at {}", e, e.instance_path()))
                .collect();
            assert!(
                errors.is_empty(),
                "{what}: the body does not match its schema: {errors:?}\n{body}"
            );
        }
    }

    /// A body the server accepted must be one the document describes.
    pub fn check_request(&self, method: &str, path: &str, body: &Value) {
        let Some(template) = self.template(path) else {
            return;
        };
        let schema = &self.doc["paths"][&template][method.to_lowercase()]["requestBody"]["content"]
            ["application/json"]["schema"];
        let what = format!("the request {method} {template}");
        if schema.is_null() && matches!(method, "GET" | "HEAD" | "DELETE") {
            return; // a body on these methods is ignored by the server
        }
        match schema["$ref"].as_str() {
            Some(r) => self.validate(r, body, &what),
            None => panic!("{what} was accepted with a body the document does not describe"),
        }
    }

    fn validate(&self, pointer: &str, body: &Value, what: &str) {
        let v = self.validator(pointer);
        let errors: Vec<String> = v
            .iter_errors(body)
            .take(5)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(
            errors.is_empty(),
            "{what}: the body does not match {pointer}: {errors:?}\n{body}"
        );
    }
}

pub struct World {
    pub contract: Arc<Contract>,
    pub base: String,
    pub http: reqwest::Client,
    pub app: App,
    tokens: HashMap<&'static str, String>,
    pub users: HashMap<&'static str, UserId>,
    pub bru: OfficeId,
    pub ams: OfficeId,
    pub dkr: OfficeId,
    pub programme: Uuid,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    others: Vec<tokio::sync::oneshot::Sender<()>>,
}

/// (user name, role, offices) of the test users.
const USERS: &[(&str, Role, &[&str])] = &[
    ("counsellor", Role::Counsellor, &["BRU"]),
    ("counsellor2", Role::Counsellor, &["BRU"]),
    ("approver", Role::Approver, &["BRU"]),
    ("approver_dkr", Role::Approver, &["DKR"]),
    ("medical", Role::MedicalOfficer, &["BRU"]),
    ("movement", Role::MovementOfficer, &["BRU"]),
    ("reintegration", Role::ReintegrationOfficer, &["DKR"]),
    ("monitoring", Role::MonitoringOfficer, &["BRU", "DKR"]),
    ("counsellor_ams", Role::Counsellor, &["AMS"]),
    ("admin", Role::Administrator, &[]),
    ("partner", Role::Partner, &[]),
    ("donor", Role::Donor, &[]),
    ("auditor", Role::Auditor, &[]),
];

impl World {
    pub async fn start(db: &TestDb) -> World {
        Self::start_with(db, Config::default()).await
    }

    pub async fn start_with(db: &TestDb, config: Config) -> World {
        let app = App::new(db.store.clone(), config);
        let mut offices = HashMap::new();
        for (code, country) in [("BRU", "BE"), ("AMS", "NL"), ("DKR", "SN")] {
            let o = app
                .create_office_unchecked(None, code, &format!("{code} office"), country, "")
                .await
                .unwrap();
            offices.insert(code, o.id);
        }
        let mut settings = homeward_app::demo::demo_programme_settings().unwrap();
        settings.host_countries = ["BE", "NL"].iter().map(|c| c.parse().unwrap()).collect();
        settings.return_countries = ["SN", "GE"].iter().map(|c| c.parse().unwrap()).collect();
        let programme = app
            .create_programme(None, "AVRR-TEST", "Test programme", settings)
            .await
            .unwrap();
        let mut tokens = HashMap::new();
        let mut users = HashMap::new();
        let now = homeward_app::now();
        for (name, role, office_codes) in USERS {
            let id = UserId(Uuid::now_v7());
            db.store
                .create_user(&UserRecord {
                    id,
                    username: name.to_string(),
                    display_name: format!("{name} (test)"),
                    password_hash: HASH.clone(),
                    active: true,
                    roles: [*role].into_iter().collect(),
                    offices: office_codes
                        .iter()
                        .map(|c| offices[c])
                        .collect::<BTreeSet<_>>(),
                    organisation: None,
                    created_at: now,
                })
                .await
                .unwrap();
            let secret = random_secret();
            db.store
                .create_session(&AuthSession {
                    id: secret_hash(&secret),
                    user_id: id.0,
                    kind: "token".into(),
                    name: Some("tests".into()),
                    csrf_token: random_secret(),
                    created_at: now,
                    last_seen_at: now,
                    expires_at: now + Duration::days(1),
                    idle_timeout_secs: None,
                })
                .await
                .unwrap();
            tokens.insert(*name, secret);
            users.insert(*name, id);
        }
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let router =
            homeward_server::router(app.clone(), homeward_server::ServerOptions::default());
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(homeward_server::serve(listener, router, async {
            let _ = rx.await;
        }));
        let http = reqwest::Client::new();
        let doc: Value = http
            .get(format!("{base}/api/openapi.json"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        World {
            contract: Arc::new(Contract {
                doc,
                validators: Mutex::new(HashMap::new()),
            }),
            base,
            http,
            app,
            tokens,
            users,
            bru: offices["BRU"],
            ams: offices["AMS"],
            dkr: offices["DKR"],
            programme: programme.id.0,
            shutdown: Some(tx),
            others: vec![],
        }
    }

    /// Another server on the same database, with a memory of its own, as two servers
    /// behind a load balancer are: its base address. It stops with this world.
    pub async fn another_server(&mut self) -> String {
        let app = App::new(self.app.store().clone(), self.app.config().clone());
        self.serve_another(app).await
    }

    /// Another server on the same database as another process would be: its own store
    /// (its own pools and group writer) and its own memory. Its base address; it stops
    /// with this world.
    pub async fn another_process(&mut self, db: &TestDb) -> String {
        let store = homeward_store::Store::connect(&db.url()).await.unwrap();
        self.serve_another(App::new(store, self.app.config().clone()))
            .await
    }

    async fn serve_another(&mut self, app: App) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let router = homeward_server::router(app, homeward_server::ServerOptions::default());
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(homeward_server::serve(listener, router, async {
            let _ = rx.await;
        }));
        self.others.push(tx);
        base
    }

    pub fn stop(&mut self) {
        for tx in self
            .shutdown
            .take()
            .into_iter()
            .chain(self.others.drain(..))
        {
            let _ = tx.send(());
        }
    }

    /// Signs in as `username` through `POST /api/tokens`; later requests as `username`
    /// use that token.
    pub async fn sign_in(&mut self, username: &'static str, password: &str) {
        let r = self
            .send(
                None,
                self.http
                    .post(format!("{}/api/tokens", self.base))
                    .json(&json!({"username": username, "password": password, "name": "tests"})),
            )
            .await
            .ok();
        let token = r["token"].as_str().unwrap().to_string();
        self.tokens.insert(username, token);
    }

    /// What `user` reads of the test programme once this month ends, by `read` (a
    /// report's `_until`): a protected reader's is as the last whole month ended, and
    /// tests write nothing in past months.
    async fn at_months_end<T: serde::Serialize>(
        &self,
        user: &str,
        read: impl AsyncFnOnce(
            &homeward_app::App,
            &homeward_app::auth::Principal,
            homeward_domain::ids::ProgrammeId,
            chrono::NaiveDate,
        ) -> homeward_app::Result<T>,
    ) -> Value {
        let p = self.app.authenticate(self.token(user)).await.unwrap();
        let id = homeward_domain::ids::ProgrammeId(self.programme);
        let report = read(&self.app, &p, id, this_months_end()).await.unwrap();
        serde_json::to_value(report).unwrap()
    }

    /// The budget page once this month ends.
    pub async fn budget_at_months_end(&self, user: &str) -> Value {
        self.at_months_end(user, async |app, p, id, until| {
            app.budget_report_until(p, id, until).await
        })
        .await
    }

    /// The report on communities once this month ends.
    pub async fn communities_at_months_end(&self, user: &str) -> Value {
        self.at_months_end(user, async |app, p, id, until| {
            app.community_report_until(p, id, until).await
        })
        .await
    }

    /// The impact report once this month ends.
    pub async fn impact_at_months_end(&self, user: &str, by: homeward_store::ScoreBy) -> Value {
        self.at_months_end(user, async |app, p, id, until| {
            app.impact_report_until(p, id, by, until).await
        })
        .await
    }

    /// The performance report once this month ends.
    pub async fn performance_at_months_end(&self, user: &str) -> Value {
        self.at_months_end(user, async |app, p, id, until| {
            app.performance_report_until(p, id, until).await
        })
        .await
    }

    pub fn token(&self, user: &str) -> &str {
        &self.tokens[user]
    }

    /// Sends a request as `user`; checks the response (and an accepted request body)
    /// against the OpenAPI document.
    pub async fn send(&self, user: Option<&str>, req: reqwest::RequestBuilder) -> Resp {
        let req = match user {
            Some(u) => req.bearer_auth(self.token(u)),
            None => req,
        };
        let req = req.build().unwrap();
        let (method, path) = (req.method().to_string(), req.url().path().to_string());
        let sent: Option<Value> = req
            .body()
            .and_then(|b| b.as_bytes())
            .and_then(|b| serde_json::from_slice(b).ok());
        let res = self.http.execute(req).await.unwrap();
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let text = res.text().await.unwrap();
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        // 503 is the storage's fault, said so on purpose (tests that expect success fail
        // on their own status checks).
        assert!(
            status < 500 || status == 503,
            "a server error: {status} {body}"
        );
        let content_type = headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        if !matches!(body, Value::String(ref s) if s.is_empty()) {
            self.contract
                .check(&method, &path, status, &content_type, &body);
        }
        if let Some(sent) = sent.filter(|_| (200..300).contains(&status)) {
            self.contract.check_request(&method, &path, &sent);
        }
        Resp {
            status,
            body,
            headers,
        }
    }

    pub async fn get(&self, user: &str, path: &str) -> Resp {
        self.send(Some(user), self.http.get(format!("{}{path}", self.base)))
            .await
    }

    pub async fn post(&self, user: &str, path: &str, body: Value) -> Resp {
        self.post_to(&self.base, user, path, body).await
    }

    pub async fn patch(&self, user: &str, path: &str, body: Value) -> Resp {
        self.send(
            Some(user),
            self.http.patch(format!("{}{path}", self.base)).json(&body),
        )
        .await
    }

    /// Posts to the server at `base` (this world's or `another_server`).
    pub async fn post_to(&self, base: &str, user: &str, path: &str, body: Value) -> Resp {
        self.send(
            Some(user),
            self.http.post(format!("{base}{path}")).json(&body),
        )
        .await
    }

    /// The case's current version, as stored.
    pub async fn version(&self, case: &str) -> u64 {
        self.app
            .store()
            .load_events(homeward_domain::ids::CaseId(case.parse().unwrap()))
            .await
            .unwrap()
            .len() as u64
    }

    /// Runs a command on a case at its current version.
    pub async fn cmd(&self, user: &str, case: &str, what: &str, mut body: Value) -> Resp {
        body["version"] = json!(self.version(case).await);
        self.post(user, &format!("/api/cases/{case}/{what}"), body)
            .await
    }

    pub async fn events(&self) -> i64 {
        self.app.store().count_events().await.unwrap()
    }

    pub async fn view(&self, user: &str, case: &str) -> Value {
        self.get(user, &format!("/api/cases/{case}")).await.ok()
    }

    /// The person ids of a case, in member order.
    pub async fn people(&self, case: &str) -> Vec<String> {
        let v = self.view("counsellor", case).await;
        v["case"]["members"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["person_id"].as_str().unwrap().to_string())
            .collect()
    }
}

impl Drop for World {
    fn drop(&mut self) {
        self.stop();
    }
}

pub fn ago(days: i64) -> DateTime<Utc> {
    Utc::now() - Duration::days(days)
}

pub fn adult(given: &str) -> Value {
    json!({
        "name": {"given": given, "family": "Diallo"},
        "date_of_birth": {"exact": "1990-05-01"},
        "sex": "female",
        "nationality": "SN",
        "languages": ["wo", "fr"],
        "legal_situation": "irregular_stay"
    })
}

pub fn child(given: &str, born: &str) -> Value {
    json!({
        "name": {"given": given, "family": "Diallo"},
        "date_of_birth": {"exact": born},
        "sex": "male",
        "nationality": "SN",
        "languages": ["wo"],
        "legal_situation": "irregular_stay"
    })
}

pub fn member(rel: &str, details: Value) -> Value {
    json!({"relationship": rel, "details": details})
}

impl World {
    /// Registers a case (ten days ago) in `office` with `members`; returns its id.
    pub async fn register(&self, user: &str, office: OfficeId, members: Vec<Value>) -> String {
        self.register_ago(user, office, members, 10).await
    }

    /// Registers a case `days` ago in `office` with `members`; returns its id.
    pub async fn register_ago(
        &self,
        user: &str,
        office: OfficeId,
        members: Vec<Value>,
        days: i64,
    ) -> String {
        let r = self
            .post(user, "/api/cases", json!({
                "host_office": office,
                "programme": self.programme,
                "referral": {"source": "self_referral"},
                "proposal": {
                    "country_of_return": "SN",
                    "return_kind": "origin",
                    "place_of_return": "Thiès",
                    "assistance_package": [{"kind": "reintegration_grant", "amount": {"amount_minor": 150000, "currency": "EUR"}}]
                },
                "members": members,
                "occurred_at": ago(days),
            }))
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
        assert!(r.headers.get("location").is_some());
        r.body["case_id"].as_str().unwrap().to_string()
    }

    pub async fn single_adult(&self) -> (String, String) {
        let case = self
            .register(
                "counsellor",
                self.bru,
                vec![member("principal", adult("Awa"))],
            )
            .await;
        let p = self.people(&case).await.remove(0);
        (case, p)
    }

    /// An information session held `days_ago` for these attendees, in `language`.
    pub async fn session(
        &self,
        case: &str,
        attendees: Vec<Value>,
        language: &str,
        days_ago: i64,
    ) -> Resp {
        self.cmd("counsellor", case, "counselling-sessions", json!({
            "occurred_at": ago(days_ago),
            "language": language,
            "interpreter_present": false,
            "topics": ["return_modalities", "conditions_in_country_of_return", "return_by_own_means", "options_to_stay"],
            "attendees": attendees,
            "notes": "Wants to go home to her mother."
        }))
        .await
    }

    pub async fn consent(&self, case: &str, person: &str, given_by: &str) -> Resp {
        self.cmd(
            "counsellor",
            case,
            "consents",
            json!({
                "person_id": person,
                "given_by": given_by,
                "no_pressure_attested": true,
                "right_to_withdraw_explained": true,
                "data_processing_consent": true,
            }),
        )
        .await
    }

    pub async fn screen(&self, case: &str, removal: &str) -> Resp {
        self.cmd("counsellor", case, "eligibility-screenings", json!({
            "removal_procedure": removal, "admissibility": "national", "category": "irregular migrant"
        }))
        .await
    }

    /// Counselling five days ago, every adult's consent, screening, application, approval.
    pub async fn approve(&self, case: &str, adults: &[&str]) {
        let attendees = adults.iter().map(|p| json!({"member": p})).collect();
        self.session(case, attendees, "wo", 5).await.ok();
        for p in adults {
            self.consent(case, p, "person").await.ok();
        }
        self.screen(case, "not_initiated").await.ok();
        self.cmd("counsellor", case, "application", json!({}))
            .await
            .ok();
        self.cmd("approver", case, "approval", json!({})).await.ok();
    }

    pub async fn passport(&self, case: &str, person: &str) {
        self.cmd(
            "movement",
            case,
            "travel-documents",
            json!({
                "person_id": person, "kind": "passport", "status": "held", "number": "A123",
                "issuing_country": "SN", "expires_on": "2031-01-01"
            }),
        )
        .await
        .ok();
    }

    pub async fn itinerary(&self, case: &str) -> Resp {
        let dep = Utc::now() + Duration::days(7);
        self.cmd("movement", case, "itinerary", json!({
            "legs": [{"carrier": "Brussels Airlines", "flight_number": "SN203", "from": "BRU", "to": "DSS",
                      "departs_at": dep, "arrives_at": dep + Duration::hours(6)}],
            "transit_assistance": false
        }))
        .await
    }

    /// From registration to arrival at the office in Dakar, with reintegration started.
    pub async fn arrived(&self, case: &str, adults: &[&str]) {
        self.arrived_fit(case, adults, &[]).await
    }

    /// `arrived`, with `fit` assessed fit to travel before departure (as the programme
    /// requires of the elderly and those with medical needs).
    pub async fn arrived_fit(&self, case: &str, adults: &[&str], fit: &[&str]) {
        self.approve(case, adults).await;
        self.prepare(case).await;
        for person in fit {
            self.cmd(
                "medical",
                case,
                "health-assessments",
                json!({"person_id": person, "fitness": "fit", "assessed_by": "Dr. Ndiaye"}),
            )
            .await
            .ok();
        }
        self.cmd(
            "movement",
            case,
            "return-office",
            json!({"office_id": self.dkr}),
        )
        .await
        .ok();
        for step in ["ready-to-depart", "departure"] {
            self.cmd("movement", case, step, json!({})).await.ok();
        }
        self.cmd(
            "reintegration",
            case,
            "arrival",
            json!({"reception": "office"}),
        )
        .await
        .ok();
    }

    /// A plan of one item worth `cents` euros, agreed by `person` and approved; its item id.
    pub async fn approved_plan(&self, case: &str, person: &str, cents: i64) -> String {
        self.approved_plan_of(case, person, "business_development", cents)
            .await
    }

    /// A plan of one item of `assistance`, drafted, agreed and approved: the item's id.
    pub async fn approved_plan_of(
        &self,
        case: &str,
        person: &str,
        assistance: &str,
        cents: i64,
    ) -> String {
        self.cmd(
            "reintegration",
            case,
            "plan-versions",
            json!({"items": [{
                "assistance": assistance, "form": "cash",
                "description": "An item of the plan",
                "value": {"amount_minor": cents, "currency": "EUR"}
            }]}),
        )
        .await
        .ok();
        let v = self.view("reintegration", case).await;
        let plan = &v["case"]["reintegration"]["versions"][0];
        let version = plan["version"].clone();
        self.cmd(
            "reintegration",
            case,
            "plan-responses",
            json!({"plan_version": version, "person_id": person, "given_by": "person", "answer": "agreed"}),
        )
        .await
        .ok();
        self.cmd(
            "approver_dkr",
            case,
            "plan-approvals",
            json!({"plan_version": version}),
        )
        .await
        .ok();
        plan["items"][0]["item_id"].as_str().unwrap().to_string()
    }

    /// Passports for everyone and a flight to Dakar.
    pub async fn prepare(&self, case: &str) {
        for p in self.people(case).await {
            self.passport(case, &p).await;
        }
        self.itinerary(case).await.ok();
    }
}

/// The last day of this month.
pub fn this_months_end() -> chrono::NaiveDate {
    homeward_domain::stats::month_end(homeward_app::now().date_naive())
}
