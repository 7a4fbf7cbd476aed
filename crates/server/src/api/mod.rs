//! The JSON API and its OpenAPI 3.1 document, generated from the handlers themselves:
//! every route is registered together with its documentation.

pub mod admin;
pub mod budget;
pub mod cases;
pub mod communities;
pub mod impact;
pub mod inbound;
pub mod long_table;
pub mod organisations;
pub mod partners;
pub mod performance;
pub mod session;
pub mod stats;
pub mod surveys;

use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Homeward",
        description = "Case management for Assisted Voluntary Return and Reintegration. \
            Errors are application/problem+json (RFC 9457) with the JSON pointer of every invalid field. \
            Reads return the case's `version`; every command sends it back, and a stale one gets 409.",
        license(name = "Apache-2.0", identifier = "Apache-2.0")
    ),
    modifiers(&Security),
    tags(
        (name = "session", description = "Signing in and out"),
        (name = "cases", description = "Cases and lists"),
        (name = "lifecycle", description = "One command per step of the AVRR lifecycle"),
        (name = "people", description = "People on cases"),
        (name = "administration", description = "Offices, programmes and users"),
        (name = "directory", description = "The stakeholder directory: organisations a case can be referred to"),
        (name = "partners", description = "Partner organisations: the referrals addressed to them, and only the data consented to; the people they refer to the programme"),
        (name = "inbound referrals", description = "People referred to the programme by outside organisations, registered as cases or declined"),
        (name = "surveys", description = "Survey definitions for monitoring: imported from XLSForm workbooks, versioned, never changed once stored"),
        (name = "audit", description = "The tamper-evident audit log"),
        (name = "statistics", description = "Returns and pipeline figures, protected for readers who may not see small numbers"),
        (name = "health", description = "Liveness and readiness"),
    )
)]
struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("A token from POST /api/tokens"))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "session_cookie",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                crate::extract::SESSION_COOKIE,
                "Set by POST /api/session. Changes also need the X-CSRF-Token header.",
            ))),
        );
    }
}

pub fn router() -> OpenApiRouter<AppState> {
    use cases::*;
    let mut router = OpenApiRouter::with_openapi(ApiDoc::openapi());
    // Every lifecycle command, each routed where its endpoint is written.
    for commands in [
        case_command_routes,
        plan_command_routes,
        monitoring_command_routes,
        referral_command_routes,
    ] {
        router = commands(router);
    }
    router
        .routes(routes!(crate::health::healthz))
        .routes(routes!(crate::health::readyz))
        .routes(routes!(session::login, session::whoami, session::logout))
        .routes(routes!(session::logout_everywhere))
        .routes(routes!(session::change_password))
        .routes(routes!(session::create_token))
        .routes(routes!(register_case, list_cases))
        .routes(routes!(search_cases))
        .routes(routes!(search_people))
        .routes(routes!(get_case))
        .routes(routes!(get_timeline))
        .routes(routes!(issue_referral_link, withdraw_referral_links))
        .routes(routes!(referrals_waiting))
        .routes(routes!(partners::partner_counts))
        .routes(routes!(partners::partner_referrals))
        .routes(routes!(partners::partner_referral))
        .routes(routes!(inbound::submit, inbound::sent))
        .routes(routes!(inbound::sent_one))
        .routes(routes!(inbound::withdraw))
        .routes(routes!(inbound::queue))
        .routes(routes!(inbound::one))
        .routes(routes!(inbound::register))
        .routes(routes!(inbound::decline))
        .routes(routes!(follow_ups_waiting))
        .routes(routes!(admin::list_offices, admin::create_office))
        .routes(routes!(admin::update_office))
        .routes(routes!(admin::list_programmes, admin::create_programme))
        .routes(routes!(admin::get_programme, admin::update_programme))
        .routes(routes!(
            organisations::list_organisations,
            organisations::create_organisation
        ))
        .routes(routes!(organisations::import_organisations))
        .routes(routes!(
            organisations::get_organisation,
            organisations::update_organisation
        ))
        .routes(routes!(surveys::list_surveys, surveys::import_survey))
        .routes(routes!(surveys::survey_template))
        .routes(routes!(surveys::get_survey))
        .routes(routes!(surveys::survey_xlsform))
        .routes(routes!(admin::list_users, admin::create_user))
        .routes(routes!(admin::update_user))
        .routes(routes!(admin::audit_log))
        .routes(routes!(admin::verify_audit))
        .routes(routes!(stats::returns))
        .routes(routes!(stats::returns_csv_download))
        .routes(routes!(stats::returns_xlsx_download))
        .routes(routes!(stats::pipeline))
        .routes(routes!(stats::referral_figures))
        .routes(routes!(budget::budget))
        .routes(routes!(budget::budget_csv))
        .routes(routes!(budget::budget_xlsx))
        .routes(routes!(impact::impact))
        .routes(routes!(impact::impact_csv))
        .routes(routes!(impact::impact_xlsx))
        .routes(routes!(performance::performance))
        .routes(routes!(performance::performance_csv))
        .routes(routes!(performance::performance_xlsx))
        .routes(routes!(communities::communities))
        .routes(routes!(communities::communities_csv))
        .routes(routes!(communities::communities_xlsx))
}

/// Documents, on every operation, the answers the server's own machinery gives whatever
/// the handler: a body that is not JSON (415), too large (413), not valid JSON (400) or
/// with a field of the wrong shape (422); a path parameter or query string that does not
/// parse (400) or a query value not accepted (422); no or a bad credential on a secured
/// operation (401). Each is a problem document. What a handler declares itself
/// is kept.
pub fn complete(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
    let problem = |description: &str| {
        RefOr::T(
            ResponseBuilder::new()
                .description(description)
                .content(
                    "application/problem+json",
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("Problem")))
                        .build(),
                )
                .build(),
        )
    };
    if let Some(components) = doc.components.as_mut() {
        components.schemas.values_mut().for_each(close_variants);
        // utoipa has no `if`/`then`; its extensions are written into the schema as given.
        for (name, conditions) in [
            ("ReferralStepIn", crate::dto::ReferralStepIn::conditions()),
            ("UserIn", admin::UserIn::conditions()),
        ] {
            if let Some(utoipa::openapi::RefOr::T(utoipa::openapi::schema::Schema::Object(o))) =
                components.schemas.get_mut(name)
            {
                o.extensions
                    .get_or_insert_with(Default::default)
                    .insert("allOf".into(), conditions);
            }
        }
    }
    link_the_lifecycle(doc);
    for (path, item) in doc.paths.paths.iter_mut() {
        let in_path = path.contains('{');
        for op in [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ]
        .into_iter()
        .flatten()
        {
            let queried = op.parameters.iter().flatten().any(|p| {
                matches!(p, RefOr::T(p) if p.parameter_in == utoipa::openapi::path::ParameterIn::Query)
            });
            let mut add = |status: &str, description: &str| {
                op.responses
                    .responses
                    .entry(status.to_string())
                    .or_insert_with(|| problem(description));
            };
            if in_path || queried {
                add("400", "A path parameter or the query string does not parse");
            }
            if queried {
                add(
                    "422",
                    "A query parameter's value is not accepted (each one named)",
                );
            }
            if op.request_body.is_some() {
                add("400", "The body is not valid JSON");
                add("413", "The body is too large");
                add("415", "The body is not JSON");
                add(
                    "422",
                    "A field of the body is not accepted (each one named, with its JSON pointer)",
                );
            }
            if op.security.as_ref().is_some_and(|s| !s.is_empty()) {
                add("401", "No credential, or one that is not valid");
            }
        }
    }
}

/// A property that only names a variant (`"step": "hold_information_session"` of an
/// internally tagged enum, whose other fields sit beside it): one value, and nothing else.
fn is_tag(p: &utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>) -> bool {
    matches!(p, utoipa::openapi::RefOr::T(utoipa::openapi::schema::Schema::Object(o))
        if o.enum_values.as_ref().is_some_and(|v| v.len() == 1))
}

/// An enum variant that carries data is an object with exactly its one key (`{"exact":
/// "1990-05-01"}`): the strict reader refuses any other key beside it. utoipa documents
/// the key as required but leaves other keys allowed, so that `{"estimated_year": 1990,
/// "exact": null}` was valid by the document and refused by the server.
fn close_variants(schema: &mut utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>) {
    use utoipa::openapi::RefOr;
    use utoipa::openapi::schema::{AdditionalProperties, ArrayItems, Schema};
    let RefOr::T(schema) = schema else { return };
    match schema {
        Schema::OneOf(one_of) => {
            for item in one_of.items.iter_mut() {
                if let RefOr::T(Schema::Object(variant)) = item
                    && variant.properties.len() == 1
                    && variant.required.len() == 1
                    && !variant.properties.values().any(is_tag)
                {
                    variant.additional_properties =
                        Some(Box::new(AdditionalProperties::FreeForm(false)));
                }
                close_variants(item);
            }
        }
        Schema::Object(object) => object.properties.values_mut().for_each(close_variants),
        Schema::Array(array) => {
            if let ArrayItems::RefOrSchema(items) = &mut array.items {
                close_variants(items);
            }
        }
        Schema::AllOf(all_of) => all_of.items.iter_mut().for_each(close_variants),
        Schema::AnyOf(any_of) => any_of.items.iter_mut().for_each(close_variants),
        _ => {}
    }
}

/// OpenAPI links that walk a case through its lifecycle, so that a client (or a
/// fuzzer's stateful phase) can follow them: registering a case (`register_case`) leads
/// to reading it (`get_case`) and to each command on it; reading it leads to each
/// command, with the `version` read; each command leads back to reading the case. A
/// command is an operation on `/api/cases/{case_id}/...` that answers `Executed`.
fn link_the_lifecycle(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::link::{Link, LinkBuilder};
    use utoipa::openapi::{RefOr, Response};
    let answers_executed = |r: Option<&RefOr<Response>>| {
        matches!(r, Some(RefOr::T(r)) if r.content.values().any(|c| matches!(
            c, RefOr::T(c) if matches!(
                &c.schema, Some(RefOr::Ref(s)) if s.ref_location.ends_with("/Executed")
            )
        )))
    };
    let commands: Vec<String> = doc
        .paths
        .paths
        .iter()
        .filter(|(path, _)| path.starts_with("/api/cases/{case_id}/"))
        .filter_map(|(_, item)| item.post.as_ref())
        .filter(|op| answers_executed(op.responses.responses.get("200")))
        .filter_map(|op| op.operation_id.clone())
        .collect();
    // Commands about one person: a case read gives them its first member, so that a
    // walk reaches the case's rules instead of "no such person".
    let about_a_person: std::collections::BTreeSet<String> = doc
        .paths
        .paths
        .values()
        .filter_map(|item| item.post.as_ref())
        .filter(|op| {
            let body = match op.request_body.as_ref() {
                Some(RefOr::T(b)) => b.content.get("application/json"),
                _ => None,
            };
            let schema = match body {
                Some(RefOr::T(c)) => c.schema.as_ref(),
                _ => None,
            };
            let name = match schema {
                Some(RefOr::Ref(r)) => r.ref_location.rsplit('/').next().unwrap_or_default(),
                _ => return false,
            };
            let schemas = doc.components.as_ref().map(|c| &c.schemas);
            matches!(
                schemas.and_then(|s| s.get(name)),
                Some(RefOr::T(utoipa::openapi::schema::Schema::Object(o)))
                    if o.properties.contains_key("person_id")
            )
        })
        .filter_map(|op| op.operation_id.clone())
        .collect();
    let to = |operation: &str, case_id: &str, version: Option<&str>| {
        let link = LinkBuilder::new()
            .operation_id(operation)
            .parameter("case_id", case_id);
        RefOr::T(
            match version {
                Some(v) => link.request_body(Some(serde_json::json!({ "version": v }))),
                None => link,
            }
            .build(),
        )
    };
    fn links_of<'a>(
        op: &'a mut utoipa::openapi::path::Operation,
        status: &str,
    ) -> Option<&'a mut std::collections::BTreeMap<String, RefOr<utoipa::openapi::link::Link>>>
    {
        match op.responses.responses.get_mut(status) {
            Some(RefOr::T(r)) => Some(&mut r.links),
            _ => None,
        }
    }
    // A case's id and version in a response lead to reading it and to each command.
    let lead_to_case = |links: &mut std::collections::BTreeMap<String, RefOr<Link>>,
                        read: &str,
                        case_id: &str,
                        version: &str| {
        links.insert(read.into(), to("get_case", case_id, None));
        for c in &commands {
            links.insert(c.clone(), to(c, case_id, Some(version)));
        }
    };
    for (path, item) in doc.paths.paths.iter_mut() {
        let command = path.starts_with("/api/cases/{case_id}/");
        if let Some(op) = item.post.as_mut() {
            let id = op.operation_id.clone().unwrap_or_default();
            if id == "register_case" {
                if let Some(links) = links_of(op, "201") {
                    lead_to_case(
                        links,
                        "read",
                        "$response.body#/case_id",
                        "$response.body#/version",
                    );
                }
            } else if command
                && commands.contains(&id)
                && let Some(links) = links_of(op, "200")
            {
                links.insert("read".into(), to("get_case", "$request.path.case_id", None));
            }
        }
        if let Some(op) = item.get.as_mut()
            && op.operation_id.as_deref() == Some("get_case")
            && let Some(links) = links_of(op, "200")
        {
            for c in &commands {
                let mut link = to(c, "$request.path.case_id", Some("$response.body#/version"));
                if about_a_person.contains(c)
                    && let RefOr::T(l) = &mut link
                    && let Some(body) = l.request_body.as_mut()
                {
                    body["person_id"] = "$response.body#/case/members/0/person_id".into();
                }
                links.insert(c.clone(), link);
            }
        }
        // A list or a search leads to its first case (when it found one), read and
        // commanded at the version the row shows: the walk starts from cases that exist.
        for op in [item.get.as_mut(), item.post.as_mut()]
            .into_iter()
            .flatten()
        {
            if !matches!(
                op.operation_id.as_deref(),
                Some("list_cases" | "search_cases")
            ) {
                continue;
            }
            if let Some(links) = links_of(op, "200") {
                lead_to_case(
                    links,
                    "read_first",
                    "$response.body#/items/0/id",
                    "$response.body#/items/0/version",
                );
            }
        }
    }
}
