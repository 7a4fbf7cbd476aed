//! The form of a follow-up: its inputs and its command.

use homeward_domain::case::monitoring::*;

use super::*;

/// The inputs of a monitoring step; `None` for the other steps.
pub fn monitoring_inputs(kind: CommandKind, ctx: &Ctx) -> Option<Vec<In>> {
    let i = &ctx.i;
    Some(match kind {
        CommandKind::RecordFollowUp => vec![
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
        ],
        CommandKind::AddNote => note_inputs(ctx),
        _ => return None,
    })
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
