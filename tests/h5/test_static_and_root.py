"""The first view of the hall (PUB-1, issue 15): `GET /` leads to it, static files come
under content-hashed names, compressed, cached for good, and a first view stays light."""
import gzip
import re
from pathlib import Path

from tests import seeding

STATIC = Path(__file__).resolve().parents[2] / "h5" / "static"
LINKS = re.compile(r'<(?:link[^>]+href|script[^>]+src)="(/static/[^"]+)"')
GZIP = {"Accept-Encoding": "gzip"}


def _first_view(client, path):
    page = client.get(path, headers=GZIP)
    assert page.status_code == 200, path
    sizes = {path: len(page.data)}
    for url in LINKS.findall(page.get_data(as_text=True)):
        sizes[url] = len(client.get(url, headers=GZIP).data)
    return sizes


def test_the_root_url_leads_to_the_hall(client):
    resp = client.get("/")
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/h5/")
    assert "服务大厅" in client.get("/", follow_redirects=True).get_data(as_text=True)


def test_static_files_are_hashed_compressed_and_cached_for_good(client):
    html = client.get("/h5/").get_data(as_text=True)
    urls = LINKS.findall(html)
    assert any("weui.min." in u for u in urls) and any("/hall." in u for u in urls)
    for url in urls:
        name = re.sub(r"\.[0-9a-f]{12}(\.\w+)$", r"\1", url[len("/static/"):])
        assert name != url[len("/static/"):], f"{url} has no content hash"
        source = (STATIC / name).read_bytes()
        resp = client.get(url, headers=GZIP)
        assert resp.status_code == 200
        assert resp.headers["Content-Encoding"] == "gzip"
        cache = resp.headers["Cache-Control"]
        max_age = int(re.search(r"max-age=(\d+)", cache).group(1))
        assert max_age >= 365 * 24 * 3600 and "immutable" in cache
        assert resp.headers["X-Content-Type-Options"] == "nosniff"  # served before talisman
        assert gzip.decompress(resp.data) == source
        plain = client.get(url)  # a client that cannot unzip gets the file itself
        assert plain.headers.get("Content-Encoding") is None and plain.data == source


def test_first_views_of_home_and_booking_form_stay_under_60_kb(app, client):
    seeding.load(app, "demo")
    home = _first_view(client, "/h5/")
    with client.session_transaction() as s:
        s["wechat_openid"] = "o_light_pages"
    form = _first_view(client, "/h5/appointments/apply?office=SH")
    assert "证件号码" in client.get("/h5/appointments/apply?office=SH").get_data(as_text=True)
    for sizes in (home, form):
        assert sum(sizes.values()) <= 60 * 1024, sizes
