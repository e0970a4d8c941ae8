"""JSON Schema of the programme file format ``zgc-programme/1``.

Every rule, window, gate, parameter and score entry must carry ``ref``: the
clause ID and a sentence quoted from the official text. Every parameter declares its ``kind``:
``condition`` (an official condition) or ``office`` (a number the office sets).
"""

REF = {
    "type": "object",
    "required": ["clause", "quote"],
    "additionalProperties": False,
    "properties": {
        "clause": {"type": "string", "pattern": r"^(K\d(\.\d)?|P\d|W-[A-Z0-9-]+|X-[A-Z0-9-]+)$"},
        "quote": {"type": "string", "minLength": 4},
    },
}

NUMBER_OR_PARAM = {
    "oneOf": [
        {"type": "number"},
        {"type": "object", "required": ["param"], "additionalProperties": False,
         "properties": {"param": {"type": "string"}}},
    ]
}

DATE = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"}

#: a parameter's class: an official condition (threshold or date quoted from the official text) or
#: a number the programme office sets
PARAMETER_KINDS = ("condition", "office")

FIELD = {
    "type": "object",
    "required": ["type", "label"],
    "additionalProperties": False,
    "properties": {
        "type": {"enum": ["string", "text", "bool", "count", "amount", "date", "party",
                          "contact", "industry_code", "enum", "set"]},
        "label": {"type": "string"},
        "required": {"type": "boolean"},
        "values": {"type": "object", "additionalProperties": {"type": "string"}},
        "calendar": {"enum": ["working_days"]},
        # a date the applicant declares itself: names the bool field that says so
        "self_declared": {"type": "string"},
        # a date that may not lie after another date of the record (e.g. K5.2 period_start ≤ date)
        "not_after": {"type": "string"},
        # required only for some records: {field: F, in: [values]} (e.g. P3 location for conferences)
        "required_when": {"type": "object", "required": ["field", "in"], "additionalProperties": False,
                          "properties": {"field": {"type": "string"},
                                         "in": {"type": "array", "items": {"type": "string"}, "minItems": 1}}},
        # a figure for a period: counts only when the period has ended on the evaluation's as-of date
        "period_end": {"type": "object", "required": ["param"], "additionalProperties": False,
                       "properties": {"param": {"type": "string"}}},
    },
}

RECORD_RULE = {
    "type": "object",
    "required": ["id", "test", "message", "ref"],
    "additionalProperties": False,
    "properties": {
        "id": {"type": "string"},
        "when": {"type": "object"},
        "test": {"type": "object"},
        "message": {"type": "string"},
        # the rejection is also listed in the evaluation's `warnings` (e.g. K5.2 overlapping periods)
        "warn": {"type": "boolean"},
        "ref": REF,
    },
}

INCREMENT = {
    "type": "object",
    "required": ["measure", "above", "every", "points"],
    "additionalProperties": False,
    "properties": {
        "measure": {"type": "object"},
        "above": {"type": "number"},
        "every": {"type": "number", "exclusiveMinimum": 0},
        "points": {"type": "number"},
        "cap": {"type": "number", "minimum": 0},
        "label": {"type": "string"},
    },
}

BAND = {
    "type": "object",
    "required": ["at_least", "points"],
    "additionalProperties": False,
    "properties": {"at_least": {"type": "number"}, "points": {"type": "number"},
                   "label": {"type": "string"}},
}

SCORE_ENTRY = {
    "type": "object",
    "required": ["base", "ref"],
    "additionalProperties": False,
    "properties": {
        "base": {"type": "number", "minimum": 0},
        "increments": {"type": "array", "items": INCREMENT},
        "bands": {
            "type": "object",
            "required": ["measure", "steps"],
            "additionalProperties": False,
            "properties": {"measure": {"type": "object"},
                           "steps": {"type": "array", "items": BAND, "minItems": 1}},
        },
        "cap": {"type": "number", "minimum": 0},
        "ref": REF,
    },
}

#: a kind of supporting material the text names for a clause: an upload slot in the portal.
#: ``required``: a counted prior record needs it (unless ``satisfied_by`` holds on the record);
#: ``when``: the kind applies only to records matching this predicate (e.g. one P3 type).
EVIDENCE_KIND = {
    "type": "object",
    "required": ["key", "label", "ref"],
    "additionalProperties": False,
    "properties": {
        "key": {"type": "string", "pattern": "^[a-z][a-z0-9_]*$"},
        "label": {"type": "string"},
        "hint": {"type": "string"},
        "required": {"type": "boolean"},
        "when": {"type": "object"},
        "satisfied_by": {"type": "object"},
        "ref": REF,
    },
}

CLAUSE = {
    "type": "object",
    "required": ["area", "title", "basic_condition", "evidence", "fields", "condition"],
    "additionalProperties": False,
    "properties": {
        "area": {"type": "string"},
        "title": {"type": "string"},
        "basic_condition": {"type": "string"},
        "evidence": {"type": "array", "items": {"type": "string"}},
        "evidence_kinds": {"type": "array", "items": EVIDENCE_KIND},
        "applies_to": {"enum": ["comprehensive", "registers_tech_contracts"]},
        "fields": {"type": "object", "additionalProperties": FIELD},
        "windows": {"type": "array", "items": {"type": "string"}},
        "phase_window_overrides": {
            "type": "array",
            "items": {"type": "object", "required": ["when"], "additionalProperties": False,
                      "properties": {"when": {"type": "object"}, "prior": {"type": "string"},
                                     "plan": {"type": "string"}}},
        },
        "record_rules": {"type": "array", "items": RECORD_RULE},
        "condition": {"type": "object", "required": ["ref"]},
    },
}

#: registration types (accounts.RegistrationType values) a programme may admit
REGISTRATION_TYPES = ("social_group", "private_non_enterprise", "foundation")

#: who may apply: the registration types the programme admits, with the official text it rests on
ELIGIBILITY = {
    "type": "object",
    "required": ["admitted_registration_types", "basis_quote"],
    "additionalProperties": False,
    "properties": {
        "admitted_registration_types": {"type": "array", "items": {"enum": list(REGISTRATION_TYPES)},
                                        "minItems": 1, "uniqueItems": True},
        "note": {"type": "string"},
        # no clause ID of the clause document covers "who may apply": like scoring.basis_quote, a
        # sentence quoted verbatim from the official text
        "basis_quote": {"type": "string", "minLength": 4},
    },
}

PROGRAMME_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "zgc-programme/1",
    "type": "object",
    "required": ["schema", "code", "year", "title", "families", "areas", "parameters",
                 "windows", "phase_windows", "gates", "same_work", "clauses", "choice_groups",
                 "scoring"],
    "additionalProperties": False,
    "properties": {
        "schema": {"const": "zgc-programme/1"},
        "code": {"type": "string", "pattern": r"^[a-z0-9-]+$"},
        "year": {"type": "integer"},
        "title": {"type": "string"},
        "source": {"type": "string"},
        "basis_note": {"type": "string"},
        "eligibility": ELIGIBILITY,
        # the office's collective decisions: approvals each subject needs (checked in core.programme)
        "decisions": {"type": "object"},
        "families": {
            "type": "object",
            "additionalProperties": {
                "type": "object", "required": ["name", "areas"], "additionalProperties": False,
                "properties": {"name": {"type": "string"},
                               "areas": {"type": "array", "items": {"type": "string"}}},
            },
        },
        "areas": {"type": "object", "additionalProperties": {"type": "string"}},
        "parameters": {
            "type": "object",
            "additionalProperties": {
                "type": "object",
                "required": ["label", "kind", "unit", "values", "ref"],
                "additionalProperties": False,
                "properties": {
                    "label": {"type": "string"},
                    # condition: quoted from the official text (changed only by a flagged change of
                    # conditions); office: a number the programme office sets (points, rates …)
                    "kind": {"enum": list(PARAMETER_KINDS)},
                    "unit": {"type": "string"},
                    "note": {"type": "string"},
                    "values": {"type": "object", "minProperties": 1,
                               "propertyNames": {"pattern": r"^\d{4}-\d{2}-\d{2}$"},
                               # boolean: a setting (unit: switch) for a point the text leaves open
                               "additionalProperties": {"type": ["number", "string", "boolean"]}},
                    "ref": REF,
                },
            },
        },
        "windows": {
            "type": "object",
            "additionalProperties": {
                "type": "object",
                "required": ["label", "start", "end", "ref"],
                "additionalProperties": False,
                "properties": {
                    "label": {"type": "string"},
                    "start": {"type": "object"},
                    "end": {"type": "object"},
                    "ref": REF,
                },
            },
        },
        "phase_windows": {
            "type": "object", "required": ["prior", "plan"], "additionalProperties": False,
            "properties": {"prior": {"type": "string"}, "plan": {"type": "string"}},
        },
        "gates": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "kind", "ref"],
                "additionalProperties": False,
                "properties": {
                    "id": {"type": "string"},
                    "kind": {"enum": ["choose", "areas_met"]},
                    "group": {"type": "string"},
                    "choose": {"type": "integer", "minimum": 1},
                    "family": {"type": "string"},
                    "at_least": NUMBER_OR_PARAM,
                    "ref": REF,
                },
            },
        },
        "same_work": {
            "type": "object",
            "required": ["id", "families", "keep", "ref"],
            "additionalProperties": False,
            "properties": {
                "id": {"type": "string"},
                "families": {"type": "array", "items": {"type": "string"}, "minItems": 2},
                "keep": {"type": "string"},
                "note": {"type": "string"},
                "ref": REF,
            },
        },
        "named_rules": {
            "type": "object",
            "additionalProperties": {"type": "object", "required": ["label", "ref"],
                                     "additionalProperties": False,
                                     "properties": {"label": {"type": "string"}, "ref": REF}},
        },
        "acceptance_checks": {
            "type": "array",
            "items": {"type": "object", "required": ["id", "label", "ref"],
                      "additionalProperties": False,
                      "properties": {"id": {"type": "string"}, "label": {"type": "string"},
                                     "ref": REF}},
        },
        "clauses": {"type": "object", "minProperties": 1, "additionalProperties": CLAUSE},
        "choice_groups": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}, "minItems": 2},
        },
        "scoring": {
            "type": "object",
            "required": ["version", "clauses"],
            "additionalProperties": False,
            "properties": {
                "version": {"type": "string"},
                "note": {"type": "string"},
                "basis_quote": {"type": "string"},
                "clauses": {"type": "object", "additionalProperties": SCORE_ENTRY},
            },
        },
    },
}
