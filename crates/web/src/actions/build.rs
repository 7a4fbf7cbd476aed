//! Each step's command, parsed from its submitted form.

use super::*;

/// The command a submitted form asks for.
pub fn build(kind: CommandKind, f: &FormData, ctx: &Ctx, p: &mut Parse) -> Option<Command> {
    if let Some(cmd) = plan_command(kind, f, ctx, p) {
        return cmd;
    }
    if let Some(cmd) = monitoring_command(kind, f, ctx, p) {
        return cmd;
    }
    if let Some(cmd) = referral_command(kind, f, ctx, p) {
        return cmd;
    }
    let i = &ctx.i;
    let person = |p: &mut Parse| uuid_of(f, "person_id", p, i).map(PersonId);
    match kind {
        CommandKind::AddMember => {
            let rel = choice::<Relationship>(f, "relationship", p, i);
            let details = parse_person(f, p, i);
            Some(Command::AddMember(Member {
                person_id: PersonId(homeward_app::new_id()),
                relationship: rel?,
                details: details?,
            }))
        }
        CommandKind::UpdatePersonDetails => {
            let who = person(p);
            let details = parse_person(f, p, i);
            Some(Command::UpdatePersonDetails {
                person_id: who?,
                details: details?,
            })
        }
        CommandKind::RemoveMember => {
            let who = person(p);
            let reason = p.text("reason", f.get("reason"));
            Some(Command::RemoveMember {
                person_id: who?,
                reason: reason?,
            })
        }
        CommandKind::RecordCounsellingSession => {
            let language = required(f, "language", p, i)
                .and_then(|l| p.value("language", LanguageCode::parse(&l)));
            let notes = p.opt_text("notes", &f.opt("notes"));
            let attendees = f
                .all("attendees")
                .into_iter()
                .filter_map(|a| match a.strip_prefix("rep:") {
                    Some(id) => id
                        .parse()
                        .ok()
                        .map(|u| Attendee::RepresentativeOf(PersonId(u))),
                    None => a.parse().ok().map(|u| Attendee::Member(PersonId(u))),
                })
                .collect();
            Some(Command::RecordCounsellingSession(CounsellingSession {
                session_id: SessionId(homeward_app::new_id()),
                counsellor: ctx.me,
                language: language?,
                interpreter_present: f.checked("interpreter_present"),
                topics: f.all("topics").into_iter().filter_map(parse_enum).collect(),
                attendees,
                notes: notes?,
            }))
        }
        CommandKind::ScreenEligibility => {
            let removal = choice(f, "removal_procedure", p, i);
            let admissibility = choice(f, "admissibility", p, i);
            let category = required(f, "category", p, i).and_then(|c| p.text("category", &c));
            Some(Command::ScreenEligibility(ScreeningFacts {
                removal_procedure: removal?,
                admissibility: admissibility?,
                category: category?,
            }))
        }
        CommandKind::RecordConsent => {
            let who = person(p);
            let giver = choice(f, "given_by", p, i);
            let statement = p.opt_text("statement", &f.opt("statement"));
            Some(Command::RecordConsent(ConsentDeclaration {
                person_id: who?,
                given_by: giver?,
                no_pressure_attested: f.checked("no_pressure_attested"),
                right_to_withdraw_explained: f.checked("right_to_withdraw_explained"),
                data_processing_consent: f.checked("data_processing_consent"),
                statement: statement?,
            }))
        }
        CommandKind::ReconfirmConsent => {
            let who = person(p);
            let giver = choice(f, "given_by", p, i);
            let statement = p.opt_text("statement", &f.opt("statement"));
            Some(Command::ReconfirmConsent(ConsentReconfirmation {
                person_id: who?,
                given_by: giver?,
                no_pressure_attested: f.checked("no_pressure_attested"),
                statement: statement?,
            }))
        }
        CommandKind::Withdraw => {
            let who = person(p);
            let words = p.opt_text("own_words", &f.opt("own_words"));
            Some(Command::Withdraw {
                person_id: who?,
                own_words: words?,
                whole_case: f.checked("whole_case"),
            })
        }
        CommandKind::Reopen => p
            .text("reason", f.get("reason"))
            .map(|reason| Command::Reopen { reason }),
        CommandKind::RejectApplication => p
            .text("reason", f.get("reason"))
            .map(|reason| Command::RejectApplication { reason }),
        CommandKind::SubmitApplication => Some(Command::SubmitApplication),
        CommandKind::ApproveApplication => p
            .opt_text("comment", &f.opt("comment"))
            .map(|comment| Command::ApproveApplication { comment }),
        CommandKind::MarkReadyToDepart => Some(Command::MarkReadyToDepart),
        CommandKind::ConfirmDeparture => Some(Command::ConfirmDeparture),
        CommandKind::StartReintegration => Some(Command::StartReintegration),
        CommandKind::StartMonitoring => Some(Command::StartMonitoring),
        CommandKind::AssessCapacity => {
            let who = person(p);
            let professional = p.text("professional", f.get("professional"));
            let qualification = p.text("qualification", f.get("qualification"));
            let notes = p.opt_text("notes", &f.opt("notes"));
            Some(Command::AssessCapacity(CapacityAssessment {
                person_id: who?,
                professional: professional?,
                qualification: qualification?,
                lacks_capacity: f.checked("lacks_capacity"),
                notes: notes?,
            }))
        }
        CommandKind::DetermineBestInterests => {
            let who = person(p);
            let by = p.text("determined_by", f.get("determined_by"));
            let answer = required(f, "return_in_best_interests", p, i);
            let notes = p.opt_text("notes", &f.opt("notes"));
            Some(Command::DetermineBestInterests(
                BestInterestsDetermination {
                    person_id: who?,
                    determined_by: by?,
                    return_in_best_interests: answer? == "yes",
                    notes: notes?,
                },
            ))
        }
        CommandKind::AppointRepresentative => {
            let who = person(p);
            let name = p.text("name", f.get("name"));
            let kind = choice(f, "kind", p, i);
            let mut languages = vec![];
            for n in ["language_1", "language_2"] {
                if let Some(l) = f.opt(n) {
                    languages.extend(p.value(n, LanguageCode::parse(&l)));
                }
            }
            Some(Command::AppointRepresentative(Representative {
                person_id: who?,
                name: name?,
                kind: kind?,
                languages,
            }))
        }
        CommandKind::ChangeProposal => {
            let country = required(f, "country_of_return", p, i)
                .and_then(|c| p.country("country_of_return", &c));
            let kind = choice(f, "return_kind", p, i);
            let place = p.opt_text("place_of_return", &f.opt("place_of_return"));
            let mut items = vec![];
            for n in 1..=2 {
                let k = format!("assist{n}_kind");
                if let Some(kind) = f.opt(&k).and_then(|v| parse_enum::<AssistanceKind>(&v)) {
                    let a = format!("assist{n}_amount");
                    let amount = if f.get(&a).is_empty() {
                        Some(None)
                    } else {
                        amount(f, &a, p, ctx).map(Some)
                    };
                    items.push(amount.map(|amount| AssistanceItem {
                        kind,
                        amount,
                        description: None,
                    }));
                }
            }
            Some(Command::ChangeProposal(Proposal {
                country_of_return: country?,
                return_kind: kind?,
                place_of_return: place?,
                assistance_package: items.into_iter().collect::<Option<Vec<_>>>()?,
            }))
        }
        CommandKind::AssignReturnOffice => {
            let id = uuid_of(f, "office_id", p, i)?;
            let office = ctx.offices.iter().find(|o| o.id.0 == id)?;
            let country = p.country("office_id", &office.country)?;
            Some(Command::AssignReturnOffice(OfficeRef {
                office_id: OfficeId(id),
                country,
            }))
        }
        CommandKind::RecordHealthAssessment => {
            let who = person(p);
            let fitness = choice(f, "fitness", p, i);
            let by = p.text("assessed_by", f.get("assessed_by"));
            let details = p.opt_text("medical_details", &f.opt("medical_details"));
            Some(Command::RecordHealthAssessment(HealthAssessment {
                person_id: who?,
                fitness: fitness?,
                assessed_by: by?,
                medical_details: details?,
            }))
        }
        CommandKind::RecordRiskAssessment => {
            let who = person(p);
            let conclusion = choice(f, "conclusion", p, i);
            let notes = p.opt_text("notes", &f.opt("notes"));
            Some(Command::RecordRiskAssessment(RiskAssessment {
                person_id: who?,
                conclusion: conclusion?,
                notes: notes?,
            }))
        }
        CommandKind::RecordTravelDocument => {
            let who = person(p);
            let kind = choice(f, "kind", p, i);
            let status = choice(f, "status", p, i);
            let number = p.opt_text("number", &f.opt("number"));
            let country = p.opt_country("issuing_country", &f.opt("issuing_country"));
            let expires = date_field(f, "expires", p, i);
            Some(Command::RecordTravelDocument(TravelDocument {
                document_id: DocumentId(homeward_app::new_id()),
                person_id: who?,
                kind: kind?,
                status: status?,
                number: number?,
                issuing_country: country?,
                expires_on: expires?,
            }))
        }
        CommandKind::AssignEscort => {
            let kind = choice(f, "kind", p, i);
            let name = p.text("name", f.get("name"));
            Some(Command::AssignEscort(Escort {
                escort_id: EscortId(homeward_app::new_id()),
                kind: kind?,
                name: name?,
                accompanies: f
                    .all("accompanies")
                    .into_iter()
                    .filter_map(|a| a.parse().ok().map(PersonId))
                    .collect(),
            }))
        }
        CommandKind::ReleaseEscort => {
            let id = uuid_of(f, "escort_id", p, i);
            let reason = p.opt_text("reason", &f.opt("reason"));
            Some(Command::ReleaseEscort {
                escort_id: EscortId(id?),
                reason: reason?,
            })
        }
        CommandKind::ArrangeShelter => {
            let place = p.text("place", f.get("place"));
            let from = date_field(f, "from", p, i).and_then(|d| {
                if d.is_none() {
                    p.push(Violation::new("required", i.t("err-required")).at("from-day"));
                }
                d
            });
            let until = date_field(f, "until", p, i);
            Some(Command::ArrangeShelter(Shelter {
                place: place?,
                from: from?,
                until: until?,
            }))
        }
        CommandKind::SetItinerary => {
            let mut legs = vec![];
            for n in 1..=2 {
                let k = |s: &str| format!("leg{n}_{s}");
                if n == 2 && f.get(&k("from")).is_empty() && f.get(&k("flight")).is_empty() {
                    continue;
                }
                let carrier = p.text(&k("carrier"), f.get(&k("carrier")));
                let flight = p.text(&k("flight"), f.get(&k("flight")));
                let from = p.iata(&k("from"), f.get(&k("from")));
                let to = p.iata(&k("to"), f.get(&k("to")));
                let departs = leg_time(f, &k("departs"), from.as_ref(), p, i);
                let arrives = leg_time(f, &k("arrives"), to.as_ref(), p, i);
                legs.push((|| {
                    Some(Leg {
                        carrier: carrier?,
                        flight_number: flight?,
                        from: from?,
                        to: to?,
                        departs_at: departs?,
                        arrives_at: arrives?,
                        transit_permit_required: f.checked(&k("permit")),
                    })
                })());
            }
            Some(Command::SetItinerary(Itinerary {
                legs: legs.into_iter().collect::<Option<Vec<_>>>()?,
                transit_assistance: f.checked("transit_assistance"),
            }))
        }
        CommandKind::PayAllowance => {
            let who = match f.opt("person_id") {
                None => Some(None),
                Some(_) => person(p).map(Some),
            };
            let kind = choice(f, "kind", p, i);
            let money = amount(f, "amount", p, ctx);
            let note = p.opt_text("note", &f.opt("note"));
            Some(Command::PayAllowance(Allowance {
                person_id: who?,
                kind: kind?,
                amount: money?,
                note: note?,
            }))
        }
        CommandKind::RecordNoShow => p
            .opt_text("reason", &f.opt("reason"))
            .map(|reason| Command::RecordNoShow { reason }),
        CommandKind::RecordArrival => {
            let reception = match required(f, "reception", p, i).as_deref() {
                Some("partner") => p.text("partner", f.get("partner")).map(Reception::Partner),
                Some(_) => Some(Reception::Office),
                None => None,
            };
            let onward = p.opt_text("onward_transport", &f.opt("onward_transport"));
            let accommodation =
                p.opt_text("temporary_accommodation", &f.opt("temporary_accommodation"));
            Some(Command::RecordArrival(Arrival {
                reception: reception?,
                onward_transport: onward?,
                temporary_accommodation: accommodation?,
            }))
        }
        CommandKind::Close => {
            let outcome = choice(f, "outcome", p, i);
            let note = p.opt_text("note", &f.opt("note"));
            Some(Command::Close {
                outcome: outcome?,
                note: note?,
            })
        }
        _ => None,
    }
}
