import logging

import pytest

from conference import create_app


@pytest.mark.parametrize(
    ("header", "text"),
    [("zh-CN", "页面不存在"), ("zh-TW", "頁面不存在"), ("en", "Page not found")],
)
def test_not_found_speaks_the_readers_language(client, header, text):
    response = client.get("/no/such/page", headers={"Accept-Language": header})
    assert response.status_code == 404
    assert text in response.get_data(as_text=True)


def test_method_not_allowed_is_a_page_with_allow_header(client):
    response = client.delete("/", headers={"Accept-Language": "en"})
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]
    assert "Method not allowed" in response.get_data(as_text=True)


def test_a_post_without_csrf_token_is_refused(client):
    response = client.post(
        "/login", data={"email": "a@b.c", "password": "x"}, headers={"Accept-Language": "en"}
    )
    assert response.status_code == 400
    assert "security token" in response.get_data(as_text=True)


def test_too_large_a_request_is_413(app, client):
    token = client.get("/login")  # a session, so only the size can fail
    assert token.status_code == 200
    big = "x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    response = client.post("/login", data={"email": big}, headers={"Accept-Language": "en"})
    assert response.status_code == 413
    assert "larger than this site accepts" in response.get_data(as_text=True)


def test_api_errors_are_json(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.get_json()["error"]["status"] == 404


@pytest.mark.expects_server_error
def test_a_server_error_shows_a_page_and_logs_the_request_id(app, caplog):
    broken = create_app({**app.config, "TESTING": False, "PROPAGATE_EXCEPTIONS": False})

    @broken.route("/boom")
    def boom():
        raise RuntimeError("deliberate failure")

    with caplog.at_level(logging.ERROR, logger="conference"):
        response = broken.test_client().get("/boom", headers={"Accept-Language": "en"})
    assert response.status_code == 500
    request_id = response.headers["X-Request-ID"]
    assert request_id in response.get_data(as_text=True)
    assert "Something went wrong" in response.get_data(as_text=True)
    record = next(r for r in caplog.records if "unhandled error" in r.getMessage())
    assert record.request_id == request_id
    assert "deliberate failure" in caplog.text


def test_every_response_carries_a_request_id(client):
    assert len(client.get("/").headers["X-Request-ID"]) >= 8
    supplied = client.get("/", headers={"X-Request-ID": "proxy-1234abcd"})
    assert supplied.headers["X-Request-ID"] == "proxy-1234abcd"
    forged = client.get("/", headers={"X-Request-ID": "<script>alert(1)</script>"})
    assert forged.headers["X-Request-ID"] != "<script>alert(1)</script>"


def test_an_impossible_year_is_a_404_on_every_database(app, organizer_client):
    for path in ["/editions/99999999999999999999", "/editions/12345", "/editions/0202x"]:
        assert organizer_client.get(path).status_code == 404, path


def test_pages_forbid_framing_and_foreign_scripts(client):
    headers = client.get("/").headers
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
