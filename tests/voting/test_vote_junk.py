"""Every voting route survives junk as a signed-in voter: no 500, nothing recorded."""
import pytest

from tests.voting.vote_helpers import (HKSCC, HKSCC_YMT, WANG_AN, WANG_AN_YMT, ballots,
                                       make_meeting, sign_in, token)


JUNK = ["0", "-1", "99999999999999999999", "abc", "A312600024", "%00", "<script>", "1.5", "",
        "../../etc/passwd"]


@pytest.mark.parametrize("ymt, phone, account", [(WANG_AN_YMT, "13900000001", WANG_AN),
                                                 (HKSCC_YMT, "13300880001", HKSCC)])
def test_vote_routes_survive_junk(app, client, registry, ymt, phone, account):
    meeting = make_meeting(app)
    sign_in(app, client, ymt, phone)
    csrf = token(client, "/h5/profile")
    mid = meeting["id"]
    paths = [f"/h5/votes/{mid}", f"/h5/votes/{mid}/results", f"/h5/votes/{mid}/{account}/ballot",
             f"/h5/votes/{mid}/{account}/receipt", f"/h5/votes/{mid}/{account}/split",
             f"/h5/votes/{mid}/{account}/split/template.xlsx",
             f"/h5/votes/{mid}/{account}/split/lookup?holder=%00"]
    posts = [f"/h5/votes/{mid}/{account}/ballot", f"/h5/votes/{mid}/{account}/split/rows",
             f"/h5/votes/{mid}/{account}/split/upload", f"/h5/votes/{mid}/{account}/split/submit",
             f"/h5/votes/{mid}/{account}/split/rows/XYZ/delete"]
    for junk in JUNK:
        for path in paths:
            bad = path.replace(account, junk or "x").replace(f"/{mid}", f"/{junk or 'x'}", 1)
            assert client.get(bad).status_code < 500, bad
        for path in posts:
            data = {"csrf_token": csrf, "step": "confirm", "overall": junk, "order": junk,
                    "holder_account": junk, "holder_shares": junk, "holder_name": junk,
                    f"item-{meeting['items'][0]}": junk, f"cand-{meeting['items'][2]}": junk,
                    f"cand-{junk}": junk}
            assert client.post(path, data=data).status_code < 500, (path, junk)
    assert ballots(app) == []
