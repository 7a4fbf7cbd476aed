//! Corrections: which event a correction targets, and whether its replacement fits; the checks of detail events they share with the commands that record them.

use super::*;

/// Checks of a detail event, shared by the command that records it and by a correction
/// that replaces it. `path` prefixes field paths.
pub(super) fn check_detail(case: &Case, e: &Event, ctx: &Context, path: &str) -> Vec<Violation> {
    let mut c = Check::new();
    let p = |f: &str| {
        if path.is_empty() {
            f.to_string()
        } else {
            format!("{path}/{f}")
        }
    };
    let member =
        |person: PersonId, c: &mut Check, field: &str| require_member(case, person, &p(field), c);
    match e {
        Event::MemberAdded(m) => check_person(&m.details, ctx.now, &p("details"), &mut c),
        Event::NeedsAssessed(n) => {
            if let Some(person) = n.person_id {
                member(person, &mut c, "person_id");
            }
        }
        Event::PersonDetailsUpdated { person_id, details } => {
            member(*person_id, &mut c, "person_id");
            check_person(details, ctx.now, &p("details"), &mut c);
        }
        Event::CounsellingSessionRecorded(s) => {
            if s.attendees.is_empty() {
                c.push(
                    Violation::new("session.no_attendees", "record who attended the session")
                        .at(p("attendees")),
                );
            }
            for a in &s.attendees {
                match a {
                    Attendee::Member(id) => member(*id, &mut c, "attendees"),
                    Attendee::RepresentativeOf(id) => {
                        member(*id, &mut c, "attendees");
                        if !case.representatives.contains_key(id) {
                            c.push(
                                Violation::new(
                                    "session.representative_unknown",
                                    "record the legal representative before their attendance",
                                )
                                .at(p("attendees")),
                            );
                        }
                    }
                }
            }
        }
        Event::EligibilityScreened(s)
            if !ctx.programme.categories.is_empty()
                && !ctx.programme.categories.contains(&s.facts.category) =>
        {
            c.push(
                Violation::new(
                    "programme.category",
                    format!("'{}' is not a category of this programme", s.facts.category),
                )
                .at(p("category")),
            );
        }
        Event::CapacityAssessed(a) => member(a.person_id, &mut c, "person_id"),
        Event::BestInterestsDetermined(b) => {
            member(b.person_id, &mut c, "person_id");
            if let Some(m) = case.member(b.person_id)
                && m.details
                    .date_of_birth
                    .is_adult_on(ctx.occurred_at.date_naive())
            {
                c.push(
                    Violation::new(
                        "capacity.best_interests_for_child",
                        "a best-interests determination is made for a child",
                    )
                    .at(p("person_id")),
                );
            }
        }
        Event::RepresentativeAppointed(r) => {
            member(r.person_id, &mut c, "person_id");
            if r.languages.is_empty() {
                c.push(
                    Violation::new(
                        "person.no_language",
                        "record at least one language the representative understands",
                    )
                    .at(p("languages")),
                );
            }
        }
        Event::HealthAssessed(h) => member(h.person_id, &mut c, "person_id"),
        Event::NoteAdded(n) => {
            if let Some(f) = n.raises.filter(|f| Some(*f) == n.clears) {
                c.push(
                    Violation::new(
                        "note.raises_and_clears",
                        format!("a note raises or clears the {f:?} flag, not both"),
                    )
                    .at(p("clears")),
                );
            }
        }
        Event::FollowUpRecorded(f) => {
            super::monitoring::check_follow_up(case, f, ctx.occurred_at, p, &mut c);
            // Answers corrected stay those of the survey the follow-up asked, or the one
            // its (corrected) time asks now.
            let original = case
                .monitoring
                .follow_ups
                .iter()
                .find(|r| r.follow_up.follow_up_id == f.follow_up_id)
                .and_then(|r| r.follow_up.survey.as_ref());
            let asked = original.map(|a| a.response.key.as_str());
            // Answers corrected keep the version they were given under.
            if let (Some(o), Some(a)) = (original, &f.survey)
                && (o.response.key != a.response.key || o.response.version != a.response.version)
            {
                c.push(
                    Violation::new(
                        "follow_up.survey_version",
                        "corrected answers keep the survey version they were given under",
                    )
                    .at(p("survey/version")),
                );
            }
            if let Some(a) = &f.survey {
                let now = super::monitoring::survey_asked(case, ctx);
                let key = Some(a.response.key.as_str());
                if key != asked && key != now {
                    c.push(
                        super::monitoring::survey_other(now, ctx.occurred_at).at(p("survey/key")),
                    );
                }
            }
        }
        Event::RiskAssessed(r) => member(r.person_id, &mut c, "person_id"),
        Event::TravelDocumentRecorded(d) => {
            member(d.person_id, &mut c, "person_id");
            if let Some(existing) = case.documents.get(&d.document_id)
                && existing.person_id != d.person_id
            {
                c.push(
                    Violation::new(
                        "document.other_person",
                        "this document belongs to another person",
                    )
                    .at(p("person_id")),
                );
            }
        }
        Event::EscortAssigned(e) => {
            if e.accompanies.is_empty() {
                c.push(
                    Violation::new("escort.nobody", "an escort accompanies at least one person")
                        .at(p("accompanies")),
                );
            }
            for id in &e.accompanies {
                member(*id, &mut c, "accompanies");
            }
        }
        Event::ShelterArranged(s) if s.until.is_some_and(|u| u < s.from) => {
            c.push(
                Violation::new(
                    "shelter.ends_before_start",
                    "the shelter ends before it starts",
                )
                .at(p("until")),
            );
        }
        Event::AllowancePaid(a) => {
            if let Some(id) = a.person_id {
                member(id, &mut c, "person_id");
            }
            if a.amount.currency != ctx.programme.currency {
                c.push(
                    Violation::new(
                        "money.programme_currency",
                        format!(
                            "amounts in this programme are in {}",
                            ctx.programme.currency
                        ),
                    )
                    .at(p("amount/currency")),
                );
            }
        }
        _ => {}
    }
    c.0
}

/// Finds the event a correction targets and checks that the replacement fits it.
pub(super) fn correction_target<'a>(
    history: &'a [RecordedEvent],
    corrects: u64,
    replacement: &Event,
    c: &mut Check,
) -> Option<&'a RecordedEvent> {
    let original = resolve_target(history, corrects)
        .and_then(|v| v.checked_sub(1))
        .and_then(|i| history.get(i as usize));
    let Some(original) = original else {
        c.push(
            Violation::new(
                "correction.unknown_event",
                "there is no such event on this case",
            )
            .at("corrects"),
        );
        return None;
    };
    if !original.event.is_correctable() {
        c.push(
            Violation::new(
                "correction.not_correctable",
                format!(
                    "a {} event is not corrected; record a new command instead",
                    original.event.kind()
                ),
            )
            .at("corrects"),
        );
    } else if original.event.kind() != replacement.kind()
        || original.event.correction_key() != replacement.correction_key()
    {
        c.push(
            Violation::new(
                "correction.mismatch",
                format!(
                    "the replacement must be a {} event about the same {}",
                    original.event.kind(),
                    original
                        .event
                        .correction_key()
                        .unwrap_or_default()
                        .split(':')
                        .next()
                        .unwrap_or_default()
                ),
            )
            .at("replacement"),
        );
    }
    // A member's place in the household is not a detail: it decides who the principal
    // applicant is and who consents for whom.
    if let (Event::MemberAdded(o), Event::MemberAdded(r)) = (&original.event, replacement)
        && o.relationship != r.relationship
    {
        c.push(
            Violation::new(
                "correction.relationship",
                "a correction does not change a member's relationship; remove and add the member instead",
            )
            .at("replacement/data/relationship"),
        );
    }
    Some(original)
}
