"""The schedule grid on paper: A3 landscape, halls split across pages, each page with its times."""

import subprocess

import pytest
from sqlalchemy import select

from conference.extensions import db
from conference.venues.models import Hall
from tests.conftest import demo_steps, make_user, sign_in

pytestmark = pytest.mark.browser

A3_LANDSCAPE = (1190.55, 841.89)  # points


def _page_texts(pdf_path) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(pdf_path), "-"], capture_output=True, text=True, check=True).stdout
    return [page for page in text.split("\f") if page.strip()]


def test_the_grid_prints_every_hall_on_a3_landscape(app, browser, live_server, tmp_path):
    with app.app_context():
        demo_steps("editions", "venues", "programme")
        db.session.commit()
        halls = [hall.name_zh for hall in db.session.execute(select(Hall)).scalars()]
    assert len(halls) == 13
    email = make_user(app, "viewer")
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    sign_in(page, live_server.url, email)
    page.goto(f"{live_server.url}/editions/2023/programme/grid?day=2023-07-18")
    pdf = tmp_path / "grid.pdf"
    page.pdf(path=str(pdf), prefer_css_page_size=True, print_background=True)
    context.close()

    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    size = next(line for line in info.splitlines() if line.startswith("Page size"))
    width, height = (float(n) for n in size.split(":")[1].split("pts")[0].split(" x "))
    assert (round(width), round(height)) == tuple(round(n) for n in A3_LANDSCAPE)
    pages = _page_texts(pdf)
    assert len(pages) >= 2
    for hall in halls:
        assert any(hall in text for text in pages), f"{hall} is on no printed page"
    for number, text in enumerate(pages, start=1):
        assert "09:00" in text and "14:00" in text, f"page {number} has no time column"
        assert "会场" in text, f"page {number} does not say which halls it holds"
