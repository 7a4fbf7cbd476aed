"""Homeward's own check for schemathesis (loaded through SCHEMATHESIS_HOOKS).

The built-in `positive_data_acceptance` check counts every 422 as "valid data refused".
Homeward answers 422 for two different things: `invalid-input` (a field the schema
should have ruled out: the document is wrong) and `refused` (the case's rules refuse
the command in its current state, e.g. an application before consent: no schema can
say that). The configuration lets 422 through that check, and this one fails a
schema-valid request answered with any input-shape error, so that only the rules'
refusals pass.
"""

import schemathesis

# Problem types that say "the request itself is wrong": a schema-valid request must
# never get one of these.
INPUT_PROBLEMS = {
    "/problems/invalid-input",
    "/problems/invalid-path",
    "/problems/invalid-query",
    "/problems/malformed-json",
}


@schemathesis.check
def schema_valid_input_is_never_invalid(ctx, response, case):
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive:
        return None
    if response.status_code not in (400, 422):
        return None
    try:
        problem = response.json()
    except Exception:
        problem = {}
    kind = problem.get("type") if isinstance(problem, dict) else None
    if response.status_code == 400 or kind in INPUT_PROBLEMS:
        raise AssertionError(
            f"A schema-valid request was answered {response.status_code} {kind}: "
            "the document allows what the server refuses"
        )
    return None
