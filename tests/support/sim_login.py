"""Sign a test client in as a WeChat user. The OAuth flow itself is tested in
tests/h5/test_identity.py and tests/simulator/test_oauth.py; here the session just
carries the openid that flow would have put there."""
from h5.identity import OPENID


def sign_in(client, openid):
    with client.session_transaction() as session:
        session[OPENID] = openid
