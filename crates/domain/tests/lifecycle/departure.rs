//! Pre-departure and the departure guard: health, protection, documents, itineraries, no-shows, arrival.

use super::*;

#[test]
pub(super) fn the_departure_guard_names_every_unmet_condition_at_once() {
    let mut d = adult("Awa");
    d.vulnerabilities.insert(Vulnerability::MedicalNeeds);
    d.vulnerabilities.insert(Vulnerability::VictimOfTrafficking);
    let mut s = Scenario::register(vec![member(1, Relationship::Principal, d)]);
    let c = s.case();
    s.advance(1);
    let codes: Vec<&str> = unmet_departure_conditions(&c, s.now, &s.programme)
        .iter()
        .map(|v| v.code)
        .collect();
    for code in [
        "departure.not_approved",
        "eligibility.not_screened",
        "departure.no_itinerary",
        "consent.missing",
        "health.assessment_missing",
        "protection.risk_assessment_missing",
        "documents.travel_document_missing",
    ] {
        assert!(codes.contains(&code), "{code} not in {codes:?}");
    }
}

#[test]
pub(super) fn departure_needs_fitness_to_travel_where_a_health_assessment_is_required() {
    let mut d = adult("Awa");
    d.vulnerabilities.insert(Vulnerability::MedicalNeeds);
    let mut s = Scenario::register(vec![member(1, Relationship::Principal, d)]);
    s.approve_adults(&[P1]);
    s.prepare_travel();
    s.refused(
        MOVEMENT,
        Command::MarkReadyToDepart,
        "health.assessment_missing",
    );
    let assess = |f| {
        Command::RecordHealthAssessment(HealthAssessment {
            person_id: P1,
            fitness: f,
            assessed_by: t("Dr. Ndiaye"),
            medical_details: Some(lt("Insulin-dependent diabetes")),
        })
    };
    s.ok(MEDIC, assess(Fitness::NotFit));
    s.refused(MOVEMENT, Command::MarkReadyToDepart, "health.not_fit");
    s.ok(MEDIC, assess(Fitness::FitWithMedicalEscort));
    s.refused(
        MOVEMENT,
        Command::MarkReadyToDepart,
        "escort.medical_escort_missing",
    );
    let id = EscortId(s.fresh_id());
    s.ok(
        MOVEMENT,
        Command::AssignEscort(Escort {
            escort_id: id,
            kind: EscortKind::Medical,
            name: t("Nurse B. Diop"),
            accompanies: [P1].into_iter().collect(),
        }),
    );
    s.received_on_arrival(
        P1,
        homeward_domain::organisation::ServiceType::MedicalCare,
        None,
    );
    s.ok(MOVEMENT, Command::MarkReadyToDepart);
}

#[test]
pub(super) fn a_programme_may_require_a_health_assessment_for_everyone() {
    let mut p = programme();
    p.health_assessment = homeward_domain::programme::HealthAssessmentRule::Always;
    let mut s = Scenario::register_with(vec![member(1, Relationship::Principal, adult("Awa"))], p);
    s.approve_adults(&[P1]);
    s.prepare_travel();
    s.refused(
        MOVEMENT,
        Command::MarkReadyToDepart,
        "health.assessment_missing",
    );
}

#[test]
pub(super) fn a_programme_may_require_an_escort_for_a_vulnerability() {
    let mut p = programme();
    p.escort_required_for.insert(Vulnerability::Elderly);
    let mut d = adult("Awa");
    d.vulnerabilities.insert(Vulnerability::Elderly);
    let mut s = Scenario::register_with(vec![member(1, Relationship::Principal, d)], p);
    s.approve_adults(&[P1]);
    s.prepare_travel();
    s.ok(
        MEDIC,
        Command::RecordHealthAssessment(HealthAssessment {
            person_id: P1,
            fitness: Fitness::Fit,
            assessed_by: t("Dr. Ndiaye"),
            medical_details: None,
        }),
    );
    let r = s.refused(
        MOVEMENT,
        Command::MarkReadyToDepart,
        "escort.programme_escort_missing",
    );
    assert_eq!(
        r.violations[0]
            .params
            .get("vulnerability")
            .map(String::as_str),
        Some("elderly")
    );
}

#[test]
pub(super) fn a_victim_of_trafficking_needs_a_risk_assessment_that_allows_return() {
    let mut d = adult("Awa");
    d.vulnerabilities.insert(Vulnerability::VictimOfTrafficking);
    let mut s = Scenario::register(vec![member(1, Relationship::Principal, d)]);
    s.approve_adults(&[P1]);
    s.prepare_travel();
    s.refused(
        MOVEMENT,
        Command::MarkReadyToDepart,
        "protection.risk_assessment_missing",
    );
    let risk = |c| {
        Command::RecordRiskAssessment(RiskAssessment {
            person_id: P1,
            conclusion: c,
            notes: None,
        })
    };
    s.ok(COUNSELLOR, risk(RiskConclusion::ReturnMustNotProceed));
    s.refused(
        MOVEMENT,
        Command::MarkReadyToDepart,
        "protection.risk_too_high",
    );
    s.ok(
        COUNSELLOR,
        risk(RiskConclusion::ReturnCanProceedWithMeasures),
    );
    s.received_on_arrival(
        P1,
        homeward_domain::organisation::ServiceType::Shelter,
        None,
    );
    s.ok(MOVEMENT, Command::MarkReadyToDepart);
}

#[test]
pub(super) fn every_traveller_needs_a_valid_travel_document_on_the_day_of_travel() {
    let mut s = Scenario::family();
    s.approve_adults(&[P1, P2]);
    s.passport(P1);
    s.passport(P2);
    let it = s.itinerary_cmd("DSS");
    s.ok(MOVEMENT, it);
    let r = s.refused(
        MOVEMENT,
        Command::MarkReadyToDepart,
        "documents.travel_document_missing",
    );
    assert_eq!(r.violations.len(), 1);
    assert_eq!(r.violations[0].person_id, Some(P3));
    let lp = DocumentId(s.fresh_id());
    let doc = |status, expires| {
        Command::RecordTravelDocument(TravelDocument {
            document_id: lp,
            person_id: P3,
            kind: DocumentKind::LaissezPasser,
            status,
            number: None,
            issuing_country: Some(cc("SN")),
            expires_on: expires,
        })
    };
    s.ok(MOVEMENT, doc(DocumentStatus::Requested, None));
    s.refused(
        MOVEMENT,
        Command::MarkReadyToDepart,
        "documents.travel_document_missing",
    );
    // Requested only: missing, not expiring.
    assert_eq!(travel_document_expires_before_flight(&s.case()), None);
    // Issued, but expiring before the flight: the day it expires is the deadline.
    let today = s.now.date_naive();
    s.ok(MOVEMENT, doc(DocumentStatus::Issued, Some(today)));
    s.refused(
        MOVEMENT,
        Command::MarkReadyToDepart,
        "documents.travel_document_missing",
    );
    assert_eq!(
        travel_document_expires_before_flight(&s.case()),
        Some(today)
    );
    s.ok(MOVEMENT, doc(DocumentStatus::Issued, Some(day(2027, 1, 1))));
    assert_eq!(travel_document_expires_before_flight(&s.case()), None);
    s.ok(MOVEMENT, Command::MarkReadyToDepart);
}

#[test]
pub(super) fn a_passport_expiring_before_the_flight_is_a_deadline_until_the_case_leaves() {
    let mut s = Scenario::single_adult();
    s.approve_adults(&[P1]);
    // No flight yet: nothing to be late for.
    let passport = DocumentId(s.fresh_id());
    let expiring = |s: &Scenario, expires| {
        Command::RecordTravelDocument(TravelDocument {
            document_id: passport,
            person_id: P1,
            kind: DocumentKind::Passport,
            status: DocumentStatus::Held,
            number: Some(t("A7654321")),
            issuing_country: Some(cc("SN")),
            expires_on: Some(s.now.date_naive() + Duration::days(expires)),
        })
    };
    let cmd = expiring(&s, 3);
    s.ok(MOVEMENT, cmd);
    assert_eq!(travel_document_expires_before_flight(&s.case()), None);
    let it = s.itinerary_cmd("DSS");
    s.ok(MOVEMENT, it);
    let due = s.now.date_naive() + Duration::days(3);
    assert_eq!(travel_document_expires_before_flight(&s.case()), Some(due));
    // Valid on the day of the flight (ten days on): no deadline.
    let cmd = expiring(&s, 10);
    s.ok(MOVEMENT, cmd);
    assert_eq!(travel_document_expires_before_flight(&s.case()), None);
}

#[test]
pub(super) fn a_transit_needing_a_permit_needs_one_per_traveller() {
    let mut s = Scenario::single_adult();
    s.approve_adults(&[P1]);
    s.passport(P1);
    let dep = s.now + Duration::days(10);
    let leg = |from: &str, to: &str, at: chrono::DateTime<chrono::Utc>, permit| Leg {
        carrier: t("Royal Air Maroc"),
        flight_number: t("AT840"),
        from: IataCode::parse(from).unwrap(),
        to: IataCode::parse(to).unwrap(),
        departs_at: at,
        arrives_at: at + Duration::hours(3),
        transit_permit_required: permit,
    };
    s.ok(
        MOVEMENT,
        Command::SetItinerary(Itinerary {
            legs: vec![
                leg("BRU", "CMN", dep, true),
                leg("CMN", "DSS", dep + Duration::hours(5), false),
            ],
            transit_assistance: true,
        }),
    );
    s.refused(
        MOVEMENT,
        Command::MarkReadyToDepart,
        "documents.transit_permit_missing",
    );
}

#[test]
pub(super) fn the_itinerary_must_end_in_the_country_of_return() {
    let mut s = Scenario::single_adult();
    s.approve_adults(&[P1]);
    s.passport(P1);
    let it = s.itinerary_cmd("LOS");
    s.ok(MOVEMENT, it);
    s.refused(
        MOVEMENT,
        Command::MarkReadyToDepart,
        "departure.itinerary_wrong_destination",
    );
}

#[test]
pub(super) fn itinerary_legs_must_connect_in_order() {
    let mut s = Scenario::single_adult();
    s.approve_adults(&[P1]);
    let dep = s.now + Duration::days(10);
    let leg = |from: &str, to: &str, at: chrono::DateTime<chrono::Utc>, hours| Leg {
        carrier: t("X"),
        flight_number: t("X1"),
        from: IataCode::parse(from).unwrap(),
        to: IataCode::parse(to).unwrap(),
        departs_at: at,
        arrives_at: at + Duration::hours(hours),
        transit_permit_required: false,
    };
    let r = s.refused(
        MOVEMENT,
        Command::SetItinerary(Itinerary {
            legs: vec![leg("BRU", "CMN", dep, -1), leg("CDG", "DSS", dep, 3)],
            transit_assistance: false,
        }),
        "itinerary.arrives_before_departure",
    );
    assert!(r.has("itinerary.disconnected"));
    assert_eq!(r.violations[0].field.as_deref(), Some("legs/0/arrives_at"));
}

#[test]
pub(super) fn a_no_show_returns_the_case_to_pre_departure_and_needs_reconfirmation() {
    let mut s = ready_single_adult();
    s.ok(MOVEMENT, Command::MarkReadyToDepart);
    s.refused(
        COUNSELLOR,
        Command::Close {
            outcome: Outcome::NoShow,
            note: None,
        },
        "closure.outcome_not_allowed",
    );
    s.ok(MOVEMENT, Command::RecordNoShow { reason: None });
    let c = s.case();
    assert_eq!(c.stage, Stage::PreDeparture);
    assert!(c.itinerary.is_none());
    let it = s.itinerary_cmd("DSS");
    s.ok(MOVEMENT, it);
    s.refused(MOVEMENT, Command::MarkReadyToDepart, "consent.stale");
    s.ok(
        COUNSELLOR,
        Command::Close {
            outcome: Outcome::NoShow,
            note: None,
        },
    );
}

#[test]
pub(super) fn arrival_only_follows_departure() {
    let mut s = ready_single_adult();
    s.refused(
        REINTEGRATION,
        Command::RecordArrival(Arrival {
            reception: Reception::Partner(t("Caritas Dakar")),
            onward_transport: None,
            temporary_accommodation: None,
        }),
        "stage.not_allowed",
    );
}

#[test]
pub(super) fn the_office_of_return_must_be_in_the_country_of_return() {
    let mut s = Scenario::single_adult();
    s.refused(
        COUNSELLOR,
        Command::AssignReturnOffice(OfficeRef {
            office_id: RETURN_OFFICE,
            country: cc("NG"),
        }),
        "office.not_in_country_of_return",
    );
}

#[test]
pub(super) fn allowances_are_in_the_programme_currency() {
    let mut s = Scenario::single_adult();
    s.approve_adults(&[P1]);
    s.refused(
        MOVEMENT,
        Command::PayAllowance(Allowance {
            person_id: Some(P1),
            kind: AssistanceKind::PocketMoney,
            amount: Money::new(5000, CurrencyCode::parse("USD").unwrap()).unwrap(),
            note: None,
        }),
        "money.programme_currency",
    );
    s.ok(
        MOVEMENT,
        Command::PayAllowance(Allowance {
            person_id: Some(P1),
            kind: AssistanceKind::PocketMoney,
            amount: eur(5000),
            note: None,
        }),
    );
}

/// The codes of the unmet departure conditions now.
fn unmet(s: &Scenario) -> Vec<&'static str> {
    unmet_departure_conditions(&s.case(), s.now, &s.programme)
        .into_iter()
        .map(|v| v.code)
        .collect()
}

#[test]
fn a_victim_of_trafficking_departs_once_reception_in_the_country_of_return_is_accepted() {
    use homeward_domain::case::referrals::*;
    use homeward_domain::organisation::ServiceType;
    let mut d = adult("Awa");
    d.vulnerabilities.insert(Vulnerability::VictimOfTrafficking);
    let mut s = Scenario::register(vec![member(1, Relationship::Principal, d)]);
    let missing = "protection.reception_referral_missing";
    assert!(unmet(&s).contains(&missing));
    // A shelter in the host country, or legal aid at home, protects nobody on arrival.
    let make = |s: &mut Scenario, service: ServiceType, country: &str| {
        let referral_id = ReferralId(s.fresh_id());
        s.ok(
            COUNSELLOR,
            Command::MakeReferral(ReferralRequest {
                referral_id,
                organisation: OrganisationId(uid(0x0B)),
                organisation_name: t("A shelter"),
                service,
                country: Some(cc(country)),
                people: [P1].into(),
                consent_for: [P1].into(),
                shared: [DataGroup::Identity].into(),
                answer_within_days: 7,
                note: None,
                exception: None,
            }),
        );
        referral_id
    };
    let answer = |s: &mut Scenario, referral_id, step| {
        s.ok(
            COUNSELLOR,
            Command::UpdateReferral(ReferralUpdate {
                referral_id,
                step,
                note: None,
                receiver: None,
                answered_by: None,
            }),
        );
    };
    let here = make(&mut s, ServiceType::Shelter, "BE");
    answer(&mut s, here, ReferralStep::Accepted);
    let legal = make(&mut s, ServiceType::LegalAid, "SN");
    answer(&mut s, legal, ReferralStep::Accepted);
    assert!(unmet(&s).contains(&missing));
    // Sent is not enough; declined is not enough.
    let first = make(&mut s, ServiceType::Shelter, "SN");
    assert!(unmet(&s).contains(&missing));
    answer(&mut s, first, ReferralStep::Declined { reason: lt("Full") });
    assert!(unmet(&s).contains(&missing));
    let second = make(&mut s, ServiceType::Reception, "SN");
    answer(&mut s, second, ReferralStep::Accepted);
    assert!(!unmet(&s).contains(&missing), "{:?}", unmet(&s));
    // Revoked, it protects nobody any more.
    answer(
        &mut s,
        second,
        ReferralStep::Revoked {
            reason: lt("She withdrew her consent"),
        },
    );
    let refusal = unmet_departure_conditions(&s.case(), s.now, &s.programme);
    let v = refusal.iter().find(|v| v.code == missing).unwrap();
    assert_eq!(v.person_id, Some(P1));
    assert_eq!(v.params["vulnerability"], "victim_of_trafficking");
}

#[test]
fn a_child_alone_departs_once_someone_is_named_to_receive_them() {
    use homeward_domain::organisation::ServiceType;
    let mut s = Scenario::unaccompanied_child();
    assert!(unmet(&s).contains(&"protection.reception_referral_missing"));
    s.received_on_arrival(P1, ServiceType::ChildProtection, None);
    let now = unmet(&s);
    assert!(!now.contains(&"protection.reception_referral_missing"));
    assert!(now.contains(&"protection.child_receiver_missing"));
    s.received_on_arrival(
        P1,
        ServiceType::ChildProtection,
        Some("Social worker A. Sarr"),
    );
    assert!(!unmet(&s).contains(&"protection.child_receiver_missing"));
}

#[test]
fn a_programme_may_ask_protection_on_arrival_for_more_vulnerabilities() {
    use homeward_domain::organisation::ServiceType;
    let mut p = programme();
    p.protection_on_arrival.insert(
        Vulnerability::VictimOfViolence,
        [ServiceType::PsychosocialSupport].into(),
    );
    let mut d = adult("Awa");
    d.vulnerabilities.insert(Vulnerability::VictimOfViolence);
    let mut s = Scenario::register_with(vec![member(1, Relationship::Principal, d)], p);
    let codes = unmet(&s);
    assert!(codes.contains(&"protection.reception_referral_missing"));
    // A victim of violence is assessed for risk, as a victim of trafficking is.
    assert!(codes.contains(&"protection.risk_assessment_missing"));
    s.received_on_arrival(P1, ServiceType::PsychosocialSupport, None);
    assert!(!unmet(&s).contains(&"protection.reception_referral_missing"));
    // Without the programme's rule, nothing is asked for a victim of violence.
    let mut d = adult("Awa");
    d.vulnerabilities.insert(Vulnerability::VictimOfViolence);
    let s = Scenario::register(vec![member(1, Relationship::Principal, d)]);
    assert!(!unmet(&s).contains(&"protection.reception_referral_missing"));
}
