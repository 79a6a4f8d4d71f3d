"""Reading what people type to the Teams bot and what they put in the form."""

import pytest

from bot.teams import cards
from bot.teams.asking import command_argument, form_errors, message_text


@pytest.mark.parametrize(("raw", "expected"), [
    ("expense 120 Team lunch", "expense 120 Team lunch"),
    ("<p>expense&nbsp;120  Team&amp;co lunch</p>", "expense 120 Team&co lunch"),
    (None, ""),
])
def test_the_text_people_typed_is_read_without_teams_markup(raw, expected) -> None:
    assert message_text(raw) == expected


@pytest.mark.parametrize(("text", "argument"), [
    ("expense 120 Team lunch", "120 Team lunch"),
    ("Expense", ""),
    ("/expense help", "help"),
    ("expenses 120 lunch", None),
    ("hello", None),
])
def test_the_command_word_is_expense(text, argument) -> None:
    assert command_argument(text) == argument


def test_a_correct_form_is_read() -> None:
    _, errors, parsed = form_errors({"amount": "$1,250.50", "description": " Hotel ", "deadline": "3600"})
    assert errors == {} and parsed == (1250.5, "Hotel", 3600)


def test_every_mistake_in_the_form_is_named_by_its_field() -> None:
    values, errors, parsed = form_errors({"amount": "-3", "description": "", "deadline": "42"})
    assert parsed is None and values["amount"] == "-3"
    assert set(errors) == {cards.AMOUNT_INPUT, cards.DESCRIPTION_INPUT, cards.DEADLINE_INPUT}
    _, errors, _ = form_errors({"amount": "", "description": "x" * 2001, "deadline": "600"})
    assert "Enter the amount" in errors[cards.AMOUNT_INPUT] and "2000" in errors[cards.DESCRIPTION_INPUT]
