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
        _ => return None,
    })
}
