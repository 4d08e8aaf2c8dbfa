"""Every page names an icon that exists, and the address browsers try by themselves answers too."""

import re


def test_every_page_links_an_icon_that_is_served(client):
    html = client.get("/login").get_data(as_text=True)
    linked = re.search(r'<link rel="icon" href="([^"]+)"', html)
    assert linked
    icon = client.get(linked.group(1))
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
    assert b"<svg" in icon.data


def test_the_address_browsers_guess_is_not_a_404(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200 and b"<svg" in response.data
