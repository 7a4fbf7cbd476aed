//! The form of a follow-up: its inputs and its command.

use homeward_domain::case::monitoring::*;
use homeward_domain::survey::{Answer, QuestionKind, Response, SurveyAnswers, SurveyDefinition};

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
    if let Some(v) = ctx.survey {
        inputs.extend(survey_inputs(i, &v.survey));
    }
    inputs
}

/// The programme's survey as one long form: each question under its name
/// (`survey-<question>`), in the reader's language where the survey has it, saying when
/// it is asked.
fn survey_inputs(i: &I18n, d: &SurveyDefinition) -> Vec<In> {
    use crate::survey_words::{asked_when, label};
    let mut out = vec![
        In::Question {
            name: "survey".into(),
            label: label(i, d, &d.title),
            hint: Some(i.t("f-survey-intro")),
            kind: "heading",
            options: vec![],
        },
        In::Hidden("survey_key"),
        In::Hidden("survey_version"),
    ];
    for (n, q) in d.questions.iter().enumerate() {
        let options = q
            .kind
            .choices()
            .iter()
            .map(|c| (c.name.clone(), label(i, d, &c.labels)))
            .collect();
        let kind = match q.kind {
            QuestionKind::SelectOne { .. } => "radios",
            QuestionKind::SelectMultiple { .. } => "checkboxes",
            QuestionKind::Date => "date",
            _ => "text",
        };
        let hint = [label(i, d, &q.hints), asked_when(i, d, q)]
            .into_iter()
            .filter(|h| !h.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        out.push(In::Question {
            name: format!("survey-{}", q.name),
            label: i.ta(
                "f-survey-question",
                &[
                    ("number", i64::try_from(n + 1).unwrap_or(0).into()),
                    ("question", label(i, d, &q.labels).into()),
                ],
            ),
            hint: (!hint.is_empty()).then_some(hint),
            kind,
            options,
        });
    }
    out
}

/// The steps of the follow-up form filled in one question at a time (a phone's screen):
/// the follow-up itself (`""`), then each question the answers so far ask, in the
/// survey's order (its skip conditions read the choices given: `SurveyDefinition::asked`).
pub fn survey_steps(d: &SurveyDefinition, f: &FormData) -> Vec<String> {
    let asked = asked(d, f);
    std::iter::once(String::new())
        .chain(
            d.questions
                .iter()
                .filter(|q| asked.contains(&q.name))
                .map(|q| q.name.clone()),
        )
        .collect()
}

/// The questions the form's choices ask (`SurveyDefinition::asked`: conditions read
/// choices only).
fn asked(d: &SurveyDefinition, f: &FormData) -> std::collections::BTreeSet<String> {
    let mut answers = std::collections::BTreeMap::new();
    for q in &d.questions {
        let name = format!("survey-{}", q.name);
        let answer = match q.kind {
            QuestionKind::SelectOne { .. } => f.opt(&name).map(Answer::Choice),
            QuestionKind::SelectMultiple { .. } => {
                let chosen: std::collections::BTreeSet<String> =
                    f.all(&name).into_iter().map(str::to_string).collect();
                (!chosen.is_empty()).then_some(Answer::Choices(chosen))
            }
            _ => None,
        };
        if let Some(a) = answer {
            answers.insert(q.name.clone(), a);
        }
    }
    d.asked(&answers).into_iter().map(str::to_string).collect()
}

/// The survey's answers as the form gives them (`None` when none is given: the survey
/// was not asked), scored under the version the form was opened with; every answer that
/// does not fit is named at its question.
fn survey_answers(
    f: &FormData,
    v: &homeward_app::surveys::SurveyVersion,
    i: &I18n,
    p: &mut Parse,
) -> Option<Option<SurveyAnswers>> {
    let d = &v.survey;
    // The form showed another survey (its day is in another follow-up's time, or the
    // programme changed): answers given to it are neither dropped unsaid nor read as
    // this one's.
    if !f.get("survey_key").is_empty() && f.get("survey_key") != d.key && any_answer(f) {
        p.errors.push(
            homeward_domain::Violation::new("answer.survey", i.t("f-survey-other-day"))
                .at("survey"),
        );
        return None;
    }
    // A form cannot take a choice back (a radio stays chosen): what was given to a
    // question its conditions no longer ask is left out, unread, as the question does not
    // apply (the whole form shows every question, and one step at a time carries answers
    // given before a change).
    let asked = asked(d, f);
    let mut answers = std::collections::BTreeMap::new();
    for q in d.questions.iter().filter(|q| asked.contains(&q.name)) {
        let name = format!("survey-{}", q.name);
        let text = f.get(&name).trim().to_string();
        let answer = match &q.kind {
            QuestionKind::SelectOne { .. } => (!text.is_empty()).then_some(Answer::Choice(text)),
            QuestionKind::SelectMultiple { .. } => {
                let all: std::collections::BTreeSet<String> =
                    f.all(&name).into_iter().map(str::to_string).collect();
                (!all.is_empty()).then_some(Answer::Choices(all))
            }
            QuestionKind::Integer if !text.is_empty() => {
                match crate::forms::ascii_digits(&text).parse::<i64>() {
                    Ok(n) => Some(Answer::Integer(n)),
                    Err(_) => {
                        p.errors.push(
                            homeward_domain::Violation::new(
                                "answer.kind",
                                i.t("admin-whole-number"),
                            )
                            .at(format!("survey/answers/{}", q.name)),
                        );
                        None
                    }
                }
            }
            QuestionKind::Decimal if !text.is_empty() => Some(Answer::Decimal(
                crate::forms::ascii_digits(&text).replace(',', "."),
            )),
            QuestionKind::Date => match crate::forms::date(f, &name) {
                Ok(d) => d.map(Answer::Date),
                Err(_) => {
                    p.errors.push(
                        homeward_domain::Violation::new("answer.kind", i.t("err-date-invalid"))
                            .at(format!("survey/answers/{}", q.name)),
                    );
                    None
                }
            },
            QuestionKind::Text if !text.is_empty() => Some(Answer::Text(text)),
            _ => None,
        };
        if let Some(a) = answer {
            answers.insert(q.name.clone(), a);
        }
    }
    if answers.is_empty() {
        return Some(None);
    }
    // The survey and version the form showed: another one meanwhile is not mixed in.
    if f.get("survey_version") != d.version.to_string() {
        p.errors.push(
            homeward_domain::Violation::new(
                "answer.version",
                "the survey changed since this form was opened: open it again",
            )
            .at("survey"),
        );
        return None;
    }
    let response = Response {
        key: d.key.clone(),
        version: d.version,
        answers,
    };
    match d.score(&response) {
        Ok(scores) => Some(Some(SurveyAnswers {
            response,
            digest: v.digest.clone(),
            scores,
        })),
        Err(vs) => {
            p.errors.extend(vs.into_iter().map(|x| {
                let at = format!("survey/{}", x.field.as_deref().unwrap_or("answers"));
                x.at(at)
            }));
            None
        }
    }
}

/// Whether the form gives an answer to any question of a survey.
fn any_answer(f: &FormData) -> bool {
    f.pairs()
        .iter()
        .any(|(k, v)| k.starts_with("survey-") && !v.trim().is_empty())
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
            let survey = match ctx.survey {
                Some(v) => survey_answers(f, v, i, p),
                // Answers to a survey no longer asked (the programme changed, or the day
                // is in another follow-up's time) are not dropped unsaid.
                None if !f.get("survey_key").is_empty() && any_answer(f) => {
                    p.errors.push(
                        homeward_domain::Violation::new("answer.survey", i.t("f-survey-other-day"))
                            .at("survey"),
                    );
                    None
                }
                None => Some(None),
            };
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
                    survey: survey?,
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
