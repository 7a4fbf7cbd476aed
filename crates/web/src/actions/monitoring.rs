//! The form of a follow-up: its inputs and its command.

use homeward_domain::case::monitoring::*;

use super::*;

/// The inputs of a monitoring step; `None` for the other steps.
pub fn monitoring_inputs(kind: CommandKind, ctx: &Ctx) -> Option<Vec<In>> {
    Some(match kind {
        CommandKind::RecordFollowUp => follow_up_inputs(ctx),
        CommandKind::AddNote => note_inputs(ctx),
        _ => return None,
    })
}

/// A follow-up's inputs; the referrals' services to ask about when the case has any.
fn follow_up_inputs(ctx: &Ctx) -> Vec<In> {
    let i = &ctx.i;
    let mut inputs = vec![
        In::Radios(
            "mode",
            "f-follow-up-mode",
            enum_options(i, "follow_up_mode", &FollowUpMode::ALL),
        ),
        In::Radios(
            "result",
            "f-contact-result",
            enum_options(i, "contact_result", &ContactResult::ALL),
        ),
        In::Checks(
            "with",
            "f-follow-up-with",
            Some("f-follow-up-with-hint"),
            people(ctx),
        ),
        In::Select(
            "language",
            "f-follow-up-language",
            None,
            with_empty(language_options(), String::new()),
            true,
        ),
        In::Area("notes", "f-follow-up-notes", Some("f-sensitive-hint")),
    ];
    let referrals = sent_referrals(ctx);
    if !referrals.is_empty() {
        inputs.extend([
            In::Heading(i.t("f-services-heading")),
            In::Checks(
                "services_received",
                "f-services-received",
                Some("f-services-hint"),
                referrals.clone(),
            ),
            In::Checks(
                "services_partly",
                "f-services-partly",
                None,
                referrals.clone(),
            ),
            In::Checks(
                "services_not_received",
                "f-services-not-received",
                None,
                referrals,
            ),
        ]);
    }
    inputs
}

/// The case's referrals that were sent, to ask the returnee about: their need and
/// organisation.
fn sent_referrals(ctx: &Ctx) -> Vec<(String, String)> {
    let i = &ctx.i;
    ctx.view
        .case
        .referrals
        .referrals
        .values()
        .filter(|r| r.was_sent())
        .map(|r| {
            (
                r.request.referral_id.to_string(),
                format!(
                    "{} — {}",
                    i.opt("service", r.request.service.code()),
                    r.request.organisation_name
                ),
            )
        })
        .collect()
}

/// The command of a monitoring step; `None` for the other steps (and `Some(None)` when a
/// field is invalid: every reason is in `p`).
pub fn monitoring_command(
    kind: CommandKind,
    f: &FormData,
    ctx: &Ctx,
    p: &mut Parse,
) -> Option<Option<Command>> {
    let i = &ctx.i;
    Some(match kind {
        CommandKind::RecordFollowUp => {
            let mode = choice::<FollowUpMode>(f, "mode", p, i);
            let result = choice::<ContactResult>(f, "result", p, i);
            let language = f
                .opt("language")
                .map(|l| p.value("language", LanguageCode::parse(&l)));
            let notes = p.opt_text("notes", &f.opt("notes"));
            let with = f
                .all("with")
                .into_iter()
                .filter_map(|w| w.parse().ok().map(PersonId))
                .collect();
            // A referral ticked in two groups is named twice: the domain refuses it.
            let services = [
                ("services_received", ServiceReceived::Received),
                ("services_partly", ServiceReceived::Partly),
                ("services_not_received", ServiceReceived::NotReceived),
            ]
            .into_iter()
            .flat_map(|(name, received)| {
                f.all(name).into_iter().filter_map(move |r| {
                    r.parse().ok().map(|id| ServiceCheck {
                        referral_id: homeward_domain::ids::ReferralId(id),
                        received,
                    })
                })
            })
            .collect();
            (|| {
                Some(Command::RecordFollowUp(FollowUp {
                    follow_up_id: FollowUpId(homeward_app::new_id()),
                    mode: mode?,
                    result: result?,
                    with,
                    language: match language {
                        Some(parsed) => Some(parsed?),
                        None => None,
                    },
                    notes: notes?,
                    services,
                    // Set by the page from the survey's answers.
                    survey: None,
                }))
            })()
        }
        CommandKind::AddNote => note_command(f, p),
        _ => return None,
    })
}

/// The inputs of a note: its text, who may read it (the kinds this reader may read), and
/// the flag it raises or clears.
pub fn note_inputs(ctx: &Ctx) -> Vec<In> {
    use homeward_domain::access::Sensitive;
    use homeward_domain::case::records::CaseFlag;
    let i = &ctx.i;
    let case = &ctx.view.case;
    let mut kinds = vec![(String::new(), i.t("f-note-general"))];
    kinds.extend(
        Sensitive::ALL
            .into_iter()
            .filter(|k| !ctx.view.withheld.contains(k))
            .map(|k| {
                let code = crate::pages::case::enum_code(&k);
                let label = i.t(&format!("sensitive-{code}"));
                (code, label)
            }),
    );
    let flags = |pick: &dyn Fn(&CaseFlag) -> bool| {
        with_empty(
            CaseFlag::ALL
                .into_iter()
                .filter(|f| pick(f))
                .map(|f| {
                    let code = crate::pages::case::enum_code(&f);
                    let label = i.opt("flag", &code);
                    (code, label)
                })
                .collect(),
            i.t("none"),
        )
    };
    vec![
        In::Area("text", "f-note-text", None),
        In::Radios("sensitivity", "f-note-sensitivity", kinds),
        In::Select(
            "raises",
            "f-note-raises",
            None,
            flags(&|f| !case.flags.contains(f)),
            false,
        ),
        In::Select(
            "clears",
            "f-note-clears",
            None,
            flags(&|f| case.flags.contains(f)),
            false,
        ),
    ]
}

/// The note a submitted form asks for.
pub fn note_command(f: &FormData, p: &mut Parse) -> Option<Command> {
    use homeward_domain::case::records::CaseNote;
    let text = p.text("text", f.get("text"));
    let sensitivity = f.opt("sensitivity").and_then(|s| parse_enum(&s));
    let raises = f.opt("raises").and_then(|s| parse_enum(&s));
    let clears = f.opt("clears").and_then(|s| parse_enum(&s));
    Some(Command::AddNote(CaseNote {
        note_id: NoteId(homeward_app::new_id()),
        text: text?,
        sensitivity,
        raises,
        clears,
    }))
}
