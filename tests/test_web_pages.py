"""Page state in the URL: what the data page shows follows its query parameters."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from strikescope.doctor import doctor
from strikescope.web import create_app


def test_data_page_disagreements_follow_the_url(real_db):
    client = TestClient(create_app(db=real_db))
    counts = []
    for threshold, least in ((0.2, 5), (0.5, 50)):
        html = client.get("/data", params={"threshold": threshold,
                                           "min_difference": least}).text
        section = html.split("National vs regional launch counts")[1]
        body = section.split("<tbody>")[1].split("</tbody>")[0]
        expected = len(doctor(real_db, threshold, least).disagreements)
        assert expected > 0 and len(re.findall(r"<tr", body)) == expected
        counts.append(expected)
        assert f'name="threshold" value="{threshold}"' in html
        assert f'name="min_difference" value="{least}"' in html
        assert f"threshold={threshold}&amp;min_difference={least}" in html
    assert counts[0] > counts[1]  # the stricter view shows fewer pairs
    assert client.get("/data", params={"threshold": 2}).status_code == 422
