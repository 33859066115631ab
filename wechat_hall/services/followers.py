"""Who follows the account, and when they last talked to it (P-3)."""
from models import Follower, utcnow


def subscribe(openid):
    row = Follower.get_or_create(openid)
    row.subscribed = True
    row.subscribed_at = utcnow()
    row.last_message_at = utcnow()
    return row


def unsubscribe(openid):
    row = Follower.get_or_create(openid)
    row.subscribed = False
    row.unsubscribed_at = utcnow()
    return row


def touch(openid):
    """A message or menu tap: opens WeChat's 48-hour customer-service window."""
    row = Follower.get_or_create(openid)
    row.last_message_at = utcnow()
    if row.subscribed_at is None:
        # Followed before the hall recorded follows: a message proves they follow now.
        row.subscribed = True
    return row
