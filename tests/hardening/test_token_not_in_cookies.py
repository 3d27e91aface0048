"""A one-time ingest token is shown once on the page and never travels in a cookie (the messages
cookie is signed, not encrypted: anyone holding the browser's cookies could read it)."""

import re

import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_the_issued_token_is_in_no_cookie(admin_client):
    response = admin_client.post(reverse("admin:mfgplatform_ingesttoken_add"), {"source": "cookie-gateway"})
    cookies = " ".join(morsel.value for morsel in response.cookies.values())
    page = admin_client.get(response.url).content.decode()
    token = re.search(r"Token for cookie-gateway: (mfg_\S+) ", page).group(1)
    assert token[4:12] not in cookies
    assert "messages" not in response.cookies
