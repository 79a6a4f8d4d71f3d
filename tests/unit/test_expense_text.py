"""What people type after /expense."""

import pytest

from bot.expense_text import ParseError, parse_amount, parse_expense_command, wants_form


@pytest.mark.parametrize(
    ("text", "amount", "description"),
    [
        ("5000 Conference attendance", 5000.0, "Conference attendance"),
        ("$1,250.50 Team dinner", 1250.5, "Team dinner"),
        ("1250.50 USD Taxi to the airport", 1250.5, "Taxi to the airport"),
        ("USD 99 Books", 99.0, "Books"),
        ("1250.50usd Taxi", 1250.5, "Taxi"),
        ("$ 20 cab", 20.0, "cab"),
        ("  7.5   lunch   with  the team ", 7.5, "lunch with the team"),
        ("1,000,000 payload servers v2", 1_000_000.0, "payload servers v2"),
    ],
)
def test_an_amount_then_a_description_starts_a_request(text: str, amount: float, description: str) -> None:
    parsed = parse_expense_command(text)
    assert (parsed.amount, parsed.description) == (amount, description)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("5000", "what the expense is for"),
        ("Conference 5000", "Start with the amount"),
        ("1250 EUR hotel", "US dollars"),
        ("0 nothing", "more than zero"),
        ("12,34 odd grouping", "not an amount"),
        ("1.2.3 version", "not an amount"),
    ],
)
def test_unreadable_input_gets_a_helpful_message(text: str, words: str) -> None:
    with pytest.raises(ParseError, match=words):
        parse_expense_command(text)


@pytest.mark.parametrize("text", ["", "  ", "help", "HELP", "new"])
def test_nothing_or_help_opens_the_form(text: str) -> None:
    assert wants_form(text)


def test_a_real_request_does_not_open_the_form() -> None:
    assert not wants_form("5000 help desk laptops")


def test_amounts_in_the_form_field_use_the_same_rules() -> None:
    assert parse_amount("$1,250.50") == 1250.5
    with pytest.raises(ParseError):
        parse_amount("twelve")


@pytest.mark.parametrize("text", ["-5 Taxi", "$-5 Taxi", "- 5 Taxi", "USD -12 Lunch"])
def test_a_negative_amount_is_told_as_what_it_is(text):
    with pytest.raises(ParseError, match="more than zero"):
        parse_expense_command(text)


def test_text_that_does_not_start_with_an_amount_names_what_was_read():
    with pytest.raises(ParseError, match="“Taxi” is not an amount"):
        parse_expense_command("Taxi 5")
