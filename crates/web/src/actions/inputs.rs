//! The inputs of each step's form.

use super::*;

/// The inputs of a step.
pub fn inputs(kind: CommandKind, ctx: &Ctx) -> Vec<In> {
    if let Some(inputs) = plan_inputs(kind, ctx)
        .or_else(|| monitoring_inputs(kind, ctx))
        .or_else(|| referral_inputs(kind, ctx))
    {
        return inputs;
    }
    let i = &ctx.i;
    let who = || In::Radios("person_id", "f-person", people(ctx));
    let yes_no = || {
        vec![
            ("yes".to_string(), i.t("yes")),
            ("no".to_string(), i.t("no")),
        ]
    };
    match kind {
        CommandKind::AssignCaseworker => vec![In::Select(
            "user_id",
            "f-caseworker",
            Some("f-caseworker-hint"),
            with_empty(
                ctx.caseworkers
                    .iter()
                    .filter(|(id, _)| Some(*id) != ctx.view.case.owner)
                    .map(|(id, name)| (id.to_string(), name.clone()))
                    .collect(),
                String::new(),
            ),
            false,
        )],
        CommandKind::AddMember => {
            let mut v = vec![In::Radios(
                "relationship",
                "f-relationship",
                enum_options(i, "relationship", &RELATIONSHIPS),
            )];
            v.extend(person_inputs(i));
            v
        }
        CommandKind::RemoveMember => vec![who(), In::Area("reason", "f-reason", None)],
        CommandKind::UpdatePersonDetails => {
            let mut v = vec![who()];
            v.extend(person_inputs(i));
            v
        }
        CommandKind::RecordCounsellingSession => {
            let mut attendees = people(ctx);
            for (pid, r) in &ctx.view.case.representatives {
                let child = ctx
                    .view
                    .case
                    .member(*pid)
                    .map(|m| m.details.name.display())
                    .unwrap_or_default();
                attendees.push((format!("rep:{pid}"), format!("{} ({})", r.name, child)));
            }
            vec![
                In::Select(
                    "language",
                    "f-language",
                    Some("f-language-hint"),
                    with_empty(language_options(), String::new()),
                    true,
                ),
                In::Check("interpreter_present", "f-interpreter", None),
                In::Checks(
                    "topics",
                    "f-topics",
                    Some("f-topics-hint"),
                    enum_options(i, "topic", &TOPICS),
                ),
                In::Checks("attendees", "f-attendees", None, attendees),
                In::Area("notes", "f-notes", Some("f-notes-hint")),
            ]
        }
        CommandKind::ScreenEligibility => vec![
            In::Radios(
                "removal_procedure",
                "f-removal",
                enum_options(
                    i,
                    "removal",
                    &[RemovalProcedure::NotInitiated, RemovalProcedure::Initiated],
                ),
            ),
            In::Radios(
                "admissibility",
                "f-admissibility",
                enum_options(
                    i,
                    "admissibility",
                    &[
                        Admissibility::National,
                        Admissibility::AdmissionConfirmed,
                        Admissibility::Pending,
                        Admissibility::Refused,
                    ],
                ),
            ),
            In::Radios(
                "category",
                "f-category",
                ctx.programme
                    .settings
                    .categories
                    .iter()
                    .map(|c| (c.to_string(), c.to_string()))
                    .collect(),
            ),
        ],
        CommandKind::RecordConsent => vec![
            who(),
            In::Radios(
                "given_by",
                "f-given-by",
                enum_options(
                    i,
                    "giver",
                    &[ConsentGiver::Person, ConsentGiver::Representative],
                ),
            ),
            In::Check("no_pressure_attested", "f-no-pressure", None),
            In::Check("right_to_withdraw_explained", "f-right-to-withdraw", None),
            In::Check("data_processing_consent", "f-data-consent", None),
            In::Area("statement", "f-statement", None),
        ],
        CommandKind::ReconfirmConsent => vec![
            who(),
            In::Radios(
                "given_by",
                "f-given-by",
                enum_options(
                    i,
                    "giver",
                    &[ConsentGiver::Person, ConsentGiver::Representative],
                ),
            ),
            In::Check("no_pressure_attested", "f-no-pressure", None),
            In::Area("statement", "f-statement", None),
        ],
        CommandKind::Withdraw => vec![
            who(),
            In::Area("own_words", "f-own-words", None),
            In::Check("whole_case", "f-whole-case", Some("f-whole-case-hint")),
        ],
        CommandKind::ApproveApplication => vec![In::Area(
            "comment",
            "f-approval-comment",
            Some("f-approval-comment-hint"),
        )],
        CommandKind::Reopen | CommandKind::RejectApplication => {
            vec![In::Area("reason", "f-reason", None)]
        }
        CommandKind::AssessCapacity => vec![
            who(),
            In::Text("professional", "f-professional", None),
            In::Text("qualification", "f-qualification", None),
            In::Check("lacks_capacity", "f-lacks-capacity", None),
            In::Area("notes", "f-notes", None),
        ],
        CommandKind::DetermineBestInterests => vec![
            who(),
            In::Text("determined_by", "f-determined-by", None),
            In::Radios("return_in_best_interests", "f-in-best-interests", yes_no()),
            In::Area("notes", "f-notes", None),
        ],
        CommandKind::AppointRepresentative => {
            let langs = with_empty(language_options(), String::new());
            vec![
                who(),
                In::Text("name", "f-representative-name", None),
                In::Radios(
                    "kind",
                    "f-representative-kind",
                    enum_options(
                        i,
                        "repkind",
                        &[
                            RepresentativeKind::LegalGuardian,
                            RepresentativeKind::Parent,
                            RepresentativeKind::CourtAppointed,
                            RepresentativeKind::Other,
                        ],
                    ),
                ),
                In::Select(
                    "language_1",
                    "f-languages",
                    Some("f-languages-hint"),
                    langs.clone(),
                    true,
                ),
                In::Select("language_2", "f-languages", None, langs, true),
            ]
        }
        CommandKind::ChangeProposal => {
            let mut v = vec![
                In::Select(
                    "country_of_return",
                    "f-country",
                    None,
                    with_empty(country_options(i), String::new()),
                    true,
                ),
                In::Radios(
                    "return_kind",
                    "f-return-kind",
                    enum_options(
                        i,
                        "returnkind",
                        &[ReturnKind::Origin, ReturnKind::ThirdCountry],
                    ),
                ),
                In::Text("place_of_return", "f-place-of-return", None),
            ];
            v.extend(assistance_inputs(ctx));
            v
        }
        CommandKind::AssignReturnOffice => {
            let country = ctx.view.case.proposal.country_of_return.as_str();
            vec![In::Radios(
                "office_id",
                "f-office",
                ctx.offices
                    .iter()
                    .filter(|o| o.country == country)
                    .map(|o| (o.id.to_string(), format!("{} ({})", o.name, o.code)))
                    .collect(),
            )]
        }
        CommandKind::RecordHealthAssessment => vec![
            who(),
            In::Radios(
                "fitness",
                "f-fitness",
                enum_options(
                    i,
                    "fitness",
                    &[Fitness::Fit, Fitness::FitWithMedicalEscort, Fitness::NotFit],
                ),
            ),
            In::Text("assessed_by", "f-assessed-by", None),
            In::Area(
                "medical_details",
                "f-medical-details",
                Some("f-medical-details-hint"),
            ),
        ],
        CommandKind::RecordRiskAssessment => vec![
            who(),
            In::Radios(
                "conclusion",
                "f-conclusion",
                enum_options(
                    i,
                    "risk",
                    &[
                        RiskConclusion::ReturnCanProceed,
                        RiskConclusion::ReturnCanProceedWithMeasures,
                        RiskConclusion::ReturnMustNotProceed,
                    ],
                ),
            ),
            In::Area("notes", "f-notes", None),
        ],
        CommandKind::RecordTravelDocument => vec![
            who(),
            In::Radios(
                "kind",
                "f-document-kind",
                enum_options(
                    i,
                    "doc",
                    &[
                        DocumentKind::Passport,
                        DocumentKind::LaissezPasser,
                        DocumentKind::NationalIdentityCard,
                        DocumentKind::BirthCertificate,
                        DocumentKind::RefugeeTravelDocument,
                        DocumentKind::Visa,
                        DocumentKind::TransitPermit,
                        DocumentKind::Other,
                    ],
                ),
            ),
            In::Radios(
                "status",
                "f-document-status",
                enum_options(
                    i,
                    "docstatus",
                    &[
                        DocumentStatus::Held,
                        DocumentStatus::Requested,
                        DocumentStatus::Issued,
                        DocumentStatus::Expired,
                        DocumentStatus::Lost,
                    ],
                ),
            ),
            In::Text("number", "f-document-number", None),
            In::Select(
                "issuing_country",
                "f-issuing-country",
                None,
                with_empty(country_options(i), i.t("none")),
                true,
            ),
            In::Date("expires", "f-expires", None),
        ],
        CommandKind::AssignEscort => vec![
            In::Radios(
                "kind",
                "f-escort-kind",
                enum_options(
                    i,
                    "escort",
                    &[
                        EscortKind::Child,
                        EscortKind::Medical,
                        EscortKind::Operational,
                    ],
                ),
            ),
            In::Text("name", "f-escort-name", None),
            In::Checks("accompanies", "f-accompanies", None, people(ctx)),
        ],
        CommandKind::ReleaseEscort => vec![
            In::Radios(
                "escort_id",
                "f-escort",
                ctx.view
                    .case
                    .escorts
                    .values()
                    .map(|e| (e.escort_id.to_string(), e.name.to_string()))
                    .collect(),
            ),
            In::Text("reason", "f-reason", None),
        ],
        CommandKind::ArrangeShelter => vec![
            In::Text("place", "f-place", None),
            In::Date("from", "f-from", None),
            In::Date("until", "f-until", None),
        ],
        CommandKind::SetItinerary => {
            let mut v = vec![];
            for n in 1..=2 {
                v.push(In::Heading(i.t1("f-leg", "n", n.to_string())));
                let (carrier, flight, from, to, dep, dep_t, arr, arr_t, permit) = if n == 1 {
                    (
                        "leg1_carrier",
                        "leg1_flight",
                        "leg1_from",
                        "leg1_to",
                        "leg1_departs",
                        "leg1_departs-time",
                        "leg1_arrives",
                        "leg1_arrives-time",
                        "leg1_permit",
                    )
                } else {
                    (
                        "leg2_carrier",
                        "leg2_flight",
                        "leg2_from",
                        "leg2_to",
                        "leg2_departs",
                        "leg2_departs-time",
                        "leg2_arrives",
                        "leg2_arrives-time",
                        "leg2_permit",
                    )
                };
                v.extend([
                    In::Text(carrier, "f-carrier", None),
                    In::Text(flight, "f-flight", None),
                    In::Text(from, "f-from-airport", None),
                    In::Text(to, "f-to-airport", None),
                    In::Date(dep, "f-departs", None),
                    In::Time(dep_t, "time-hour-minute"),
                    In::Date(arr, "f-arrives", None),
                    In::Time(arr_t, "time-hour-minute"),
                    In::Check(permit, "f-transit-permit", None),
                ]);
            }
            v.push(In::Check(
                "transit_assistance",
                "f-transit-assistance",
                None,
            ));
            v
        }
        CommandKind::PayAllowance => {
            let mut whom = vec![(String::new(), i.t("f-household"))];
            whom.extend(people(ctx));
            vec![
                In::Radios("person_id", "f-person", whom),
                In::Radios("kind", "f-kind", enum_options(i, "assist", &ASSISTANCE)),
                In::Text("amount", "f-amount", None),
                In::Text("note", "f-note", None),
            ]
        }
        CommandKind::RecordNoShow => vec![In::Area("reason", "f-reason", None)],
        CommandKind::RecordArrival => vec![
            In::Radios(
                "reception",
                "f-reception",
                vec![
                    ("office".into(), i.opt("reception", "office")),
                    ("partner".into(), i.opt("reception", "partner")),
                ],
            ),
            In::Text("partner", "f-partner-name", None),
            In::Text("onward_transport", "f-onward", None),
            In::Text("temporary_accommodation", "f-accommodation", None),
        ],
        CommandKind::Close => vec![
            In::Radios(
                "outcome",
                "f-outcome",
                enum_options(
                    i,
                    "outcome",
                    &[
                        Outcome::Completed,
                        Outcome::Withdrawn,
                        Outcome::NoShow,
                        Outcome::Ineligible,
                        Outcome::RegularisedInHostCountry,
                        Outcome::LostContact,
                        Outcome::Deceased,
                    ],
                ),
            ),
            In::Area("note", "f-note", None),
        ],
        _ => vec![],
    }
}

pub(super) fn assistance_inputs(ctx: &Ctx) -> Vec<In> {
    let i = &ctx.i;
    let kinds = with_empty(enum_options(i, "assist", &ASSISTANCE), String::new());
    vec![
        In::Heading(i.t("f-assistance")),
        In::Select("assist1_kind", "f-kind", None, kinds.clone(), false),
        In::Text("assist1_amount", "f-amount", None),
        In::Select("assist2_kind", "f-kind", None, kinds, false),
        In::Text("assist2_amount", "f-amount", None),
    ]
}
