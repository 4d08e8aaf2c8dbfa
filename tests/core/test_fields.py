"""A request's query and form fields hold text: control characters (a NUL, which PostgreSQL
refuses in any query) are taken out before a view reads them, and a route's string argument never
holds one. Uploaded files are left as they were sent."""

import io

import pytest
from flask import request
from werkzeug.exceptions import NotFound

pytestmark = pytest.mark.database_free


def test_query_fields_lose_their_control_characters(app):
    with app.test_request_context("/?q=lin%00xiao%01mei&status=a&status=b%7F&na%00me=1&note=line%0Anext%09tab"):
        assert request.args["q"] == "linxiaomei"
        assert request.args.getlist("status") == ["a", "b"]
        assert request.args["name"] == "1"
        assert request.args["note"] == "line\nnext\ttab"  # line breaks and tabs are text


def test_form_fields_lose_them_and_files_keep_every_byte(app):
    upload = b"\x00\x01binary\x7f"
    with app.test_request_context("/", method="POST", data={"family_name": "林\x00", "photo": (io.BytesIO(upload), "a.jpg")}):
        assert request.form["family_name"] == "林"
        assert request.files["photo"].read() == upload
    with app.test_request_context("/", method="POST", data="email=a%00%40example.org", content_type="application/x-www-form-urlencoded"):
        assert request.form["email"] == "a@example.org"


def test_a_string_argument_with_a_control_character_finds_no_route(app):
    adapter = app.url_map.bind("conference.example")
    assert adapter.match("/lang/en")[0] == "core.switch_language"
    for address in ("/lang/e\x00n", "/lang/\x0b", "/editions/2023/registrations/categories/me\x00dia"):
        with pytest.raises(NotFound):
            adapter.match(address)


def test_an_address_or_a_query_with_a_nul_is_answered_not_failed(client):
    assert client.get("/lang/%00").status_code == 404
    assert client.get("/programme/2023/?day=%00&q=%00").status_code < 500
