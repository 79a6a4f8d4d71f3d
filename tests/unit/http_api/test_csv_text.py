"""Audit CSV: RFC 4180, a byte order mark, and no cell a spreadsheet would run as a formula."""

import csv
import io

import pytest

from bot.http_api.csv_text import cell, csv_text


@pytest.mark.parametrize("text", ["=1+1", "+1", "-2", "@SUM(A1)", "\tx", "\rx", "=HYPERLINK(\"http://x\")"])
def test_text_a_spreadsheet_would_run_is_prefixed_with_an_apostrophe(text: str) -> None:
    assert cell(text) == "'" + text


@pytest.mark.parametrize("value, shown", [("Taxi", "Taxi"), ("a=b", "a=b"), (None, ""), (5000.0, "5000.0"),
                                          (7, "7"), (["bob", "=carol"], "bob; =carol"), (True, "true")])
def test_other_values_are_written_as_they_are(value: object, shown: str) -> None:
    assert cell(value) == shown


def test_a_list_that_starts_like_a_formula_is_neutralised_as_a_whole() -> None:
    assert cell(["-lead", "bob"]) == "'-lead; bob"


def test_rows_are_rfc_4180_with_a_bom_and_read_back_the_same() -> None:
    rows = [{"a": 'say "hi", then\nleave', "b": 1.5}, {"a": "plain", "b": None}]
    text = csv_text(("a", "b"), rows)
    assert text.startswith("\ufeffa,b\r\n")
    assert '"say ""hi"", then\nleave",1.5\r\n' in text and text.endswith("plain,\r\n")
    assert list(csv.reader(io.StringIO(text[1:], newline=""))) == [["a", "b"], ['say "hi", then\nleave', "1.5"],
                                                                  ["plain", ""]]
