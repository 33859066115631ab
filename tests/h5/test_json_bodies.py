"""A page's form reads only what a form posts: a JSON body is not one (Flask-WTF would
fill the fields from it, numbers and lists included, and a validator's len() of a number
was a 500 — found by the route fuzz on /staff/counter-checks/…/confirm)."""
import re


def _csrf(client, path):
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


def test_a_json_body_on_a_form_page_leaves_the_form_empty(client):
    token = _csrf(client, "/h5/account/login")
    for body in ({"phone": 13900000001.5, "password": [1, 2]}, {"phone": {"a": 1}}, [1, 2]):
        resp = client.post("/h5/account/login", json=body, headers={"X-CSRFToken": token})
        assert resp.status_code in (200, 400), resp.status_code
        page = resp.get_data(as_text=True)
        assert "请" in page  # the form says what is missing
