"""Gradescope's results.json as a JSON Schema, written from Gradescope's own specification
(github.com/gradescope/autograder_samples, docs/specs.md, "Output format", "Test case status",
"Output String Formatting", and docs/leaderboards.md), and the checks every results.json the
tests produce must pass.

    validate(data)           # jsonschema.ValidationError if `data` is not a results.json by the spec
    check_results(data)      # validate(), plus what this course promises on top of the spec

The schema allows only the fields the spec names (a misspelt field would be silently ignored by
Gradescope); `check_results` adds the course's own rules: every text explicitly in the "text"
format, no control characters in any text, no top-level max_score (not in the spec: the total is
the assignment's points), each test numbered and tagged, the score the sum of the tests'.
"""

from __future__ import annotations

import unicodedata

import jsonschema

VISIBILITY = {"enum": ["hidden", "after_due_date", "after_published", "visible"]}
FORMAT = {"enum": ["text", "html", "simple_format", "md", "ansi"]}
NUMBER = {"type": "number"}

TEST = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "score": NUMBER,
        "max_score": NUMBER,
        "status": {"enum": ["passed", "failed"]},
        "name": {"type": "string"},
        "name_format": FORMAT,
        "number": {"type": "string"},
        "output": {"type": "string"},
        "output_format": FORMAT,
        "tags": {"type": "array", "items": {"type": "string"}},
        "visibility": VISIBILITY,
        "extra_data": {"type": "object"},
    },
}

RESULTS = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "score": NUMBER,
        "execution_time": {"type": "number", "minimum": 0},
        "output": {"type": "string"},
        "output_format": FORMAT,
        "test_output_format": FORMAT,
        "test_name_format": FORMAT,
        "visibility": VISIBILITY,
        "stdout_visibility": VISIBILITY,
        "extra_data": {"type": "object"},
        "tests": {"type": "array", "items": TEST},
        "leaderboard": {"type": "array", "items": {
            "type": "object", "additionalProperties": False, "required": ["name", "value"],
            "properties": {"name": {"type": "string"}, "value": {"type": ["number", "string"]},
                           "order": {"enum": ["asc", "desc"]}}}},
    },
    # "score: optional, but required if not on each test case"; "tests: required if no top-level score"
    "anyOf": [{"required": ["score"]},
              {"required": ["tests"], "properties": {"tests": {"items": {"required": ["score"]}}}}],
}

jsonschema.Draft202012Validator.check_schema(RESULTS)
VALIDATOR = jsonschema.Draft202012Validator(RESULTS)


def validate(data) -> None:
    """Raise jsonschema.ValidationError unless `data` is a results.json by Gradescope's spec."""
    VALIDATOR.validate(data)


def plain(text: str) -> bool:
    """No control or format characters besides line breaks (escape codes, CR, bidi overrides)."""
    return all(c == "\n" or unicodedata.category(c)[0] != "C" for c in text)


def check_results(data: dict) -> None:
    """validate(), and the course's own promises on top of the spec."""
    validate(data)
    assert "max_score" not in data                      # not in the spec: the assignment's points
    assert data["output_format"] == data["test_output_format"] == "text"
    assert isinstance(data["execution_time"], int) and isinstance(data["score"], (int, float))
    texts = [data["output"]]
    for test in data["tests"]:
        assert {"name", "number", "tags", "score", "max_score", "status", "output"} <= set(test), test
        assert test.get("output_format", "text") == "text" and test.get("name_format", "text") == "text"
        assert 0 <= test["score"] <= test["max_score"]
        assert test["tags"] and test["name"].startswith(test["tags"][0] + ": ")   # the notebook
        texts += [test["name"], test["output"], *test["tags"]]
    assert all(plain(t) for t in texts), [t for t in texts if not plain(t)]
    numbers = [t["number"] for t in data["tests"]]
    assert len(set(numbers)) == len(numbers)
    assert abs(data["score"] - sum(t["score"] for t in data["tests"])) < 1e-9
