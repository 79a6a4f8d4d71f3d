"""Route templates as the Functions host matches them."""
import pytest

from devhost.routes import compile_route


@pytest.mark.parametrize("template, path, expected", [
    ("hello/{name}", "hello/ann", {"name": "ann"}),
    ("hello/{name}", "hello", None),
    ("hello/{name?}", "hello", {}),
    ("hello/{name?}", "hello/bo", {"name": "bo"}),
    ("items/{id:int}", "items/42", {"id": "42"}),
    ("items/{id:int}", "items/x", None),
    ("flags/{on:bool}", "flags/True", {"on": "True"}),
    ("ids/{id:guid}", "ids/0f8fad5b-d9cb-469f-a165-70867728950e", {"id": "0f8fad5b-d9cb-469f-a165-70867728950e"}),
    ("files/{*rest}", "files/a/b.txt", {"rest": "a/b.txt"}),
    ("Status/{instanceId}", "status/abc", {"instanceId": "abc"}),
    ("approve/{approvalId}", "approve/a/b", None),
])
def test_match(template, path, expected):
    assert compile_route(template).match(path) == expected


def test_literal_routes_are_more_specific_than_parameters():
    assert compile_route("items/new").literal_chars > compile_route("items/{id}").literal_chars
