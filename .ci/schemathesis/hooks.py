"""Homeward's own check for schemathesis (loaded through SCHEMATHESIS_HOOKS).

The built-in `positive_data_acceptance` check counts every 422 as "valid data refused".
Homeward answers 422 for two different things: `invalid-input` (a field the schema
should have ruled out: the document is wrong) and `refused` (the case's rules refuse
the command in its current state, e.g. an application before consent: no schema can
say that). The configuration lets 422 through that check, and this one fails a
schema-valid request answered with any input-shape error, so that only the rules'
refusals pass.
"""

import io
import zipfile

import schemathesis
from hypothesis import strategies as st

# Problem types that say "the request itself is wrong": a schema-valid request must
# never get one of these.
INPUT_PROBLEMS = {
    "/problems/invalid-input",
    "/problems/invalid-path",
    "/problems/invalid-query",
    "/problems/malformed-json",
}


# Refusals of a schema-valid body that depend on what is stored or on who asks, which no
# schema can say, and rules across fields the document does not (yet) express. Each is a 422 `invalid-input` naming the field; any other code in a
# refusal of a schema-valid request fails the check.
DEPENDS_ON_STATE = {
    "caseworker.unknown": "the user id names no user of the case's office",
    "office.unknown": "the office id names no office",
    "office.not_yours": "the office is not one of the reader's",
    "programme.unknown": "the programme id names no programme",
    "organisation.unknown": "the organisation id names no organisation",
    "referral.organisation_unknown": "the organisation id names no organisation",
    "inbound.unknown": "the referral id names no inbound referral",
    "filter.vulnerability_restricted": "this role may not filter by that vulnerability",
    "period.whole_months": "readers of protected figures ask for whole months, exact readers for any day",
    "correction.replacement": "a correction replaces the stored event it corrects with one of the same kind",
    "password.wrong": "the current password is not the one stored",
    "person.born_in_future": "a date of birth is not after the day the request is sent",
    "inbound.representative_required": "a child's consent is given with a representative (age from the date of birth, on the day sent)",
    "statistics.exact_only": "only readers of exact figures may group by host or transit",
    "monitoring.overlapping": "follow-up windows lie apart (compares one schedule entry with the next)",
    "programme.transit_not_host": "a country of transit is not also a host country (two lists; no JSON Schema keyword compares them)",
    "monitoring.survey_unknown": "the survey named is not one imported",
    "survey.unknown": "the survey version answered is not one imported",
    "answer.unknown_question": "answers are held to the stored survey version's questions",
    "answer.not_asked": "answers are held to the stored survey version's conditions",
    "answer.kind": "answers are held to the stored survey version's kinds and options",
    "answer.required": "answers are held to the stored survey version's required questions",
}


# How an account's roles, offices and organisation fit together: the document says it for
# a new account (`UserIn`'s `if`/`then`), but a change (PATCH /api/users/{user_id}) is
# checked against the account as stored, which the request does not show.
ON_CHANGE_OF_ACCOUNT = {
    "user.partner_alone",
    "user.partner_organisation",
    "user.partner_offices",
    "user.organisation_not_partner",
}


def _codes(problem):
    errors = problem.get("errors") if isinstance(problem, dict) else None
    return [e.get("code") for e in errors or [] if isinstance(e, dict)]


def _zip(entries):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, data in entries:
            z.writestr(name, data)
    return out.getvalue()


# An Excel workbook (a survey's XLSForm) is a zip archive of XML parts. The tool cannot
# make one from a schema; it sends random bytes, zip archives of random parts, and a
# workbook missing its sheets, each of which the import must refuse with a problem
# (never a 5xx).
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
schemathesis.openapi.media_type(
    XLSX,
    st.one_of(
        st.binary(max_size=2048),
        st.lists(
            st.tuples(st.sampled_from(["[Content_Types].xml", "xl/workbook.xml", "xl/worksheets/sheet1.xml", "junk"]), st.binary(max_size=256)),
            max_size=4,
        ).map(_zip),
        st.just(_zip([("[Content_Types].xml", b"<Types/>"), ("xl/workbook.xml", b"<workbook/>")])),
    ),
)


@schemathesis.check
def schema_valid_input_is_never_invalid(ctx, response, case):
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive:
        return None
    # A CSV or TSV file: JSON Schema cannot describe it (see schemathesis.toml).
    if case.operation.path == "/api/organisations/import":
        return None
    # A workbook: its sheets are described in prose (XLSForm), not by a schema.
    if case.operation.path == "/api/surveys" and case.method.upper() == "POST":
        return None
    if response.status_code not in (400, 422):
        return None
    try:
        problem = response.json()
    except Exception:
        problem = {}
    kind = problem.get("type") if isinstance(problem, dict) else None
    codes = _codes(problem)
    allowed = set(DEPENDS_ON_STATE)
    if case.method.upper() == "PATCH" and case.operation.path == "/api/users/{user_id}":
        allowed |= ON_CHANGE_OF_ACCOUNT
    if kind == "/problems/invalid-input" and codes and all(c in allowed for c in codes):
        return None
    if response.status_code == 400 or kind in INPUT_PROBLEMS:
        raise AssertionError(
            f"A schema-valid request was answered {response.status_code} {kind} "
            f"({', '.join(c for c in codes if c not in allowed) or 'no field named'}): "
            "the document allows what the server refuses"
        )
    return None
