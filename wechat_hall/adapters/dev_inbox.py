"""Where the development SMS and mail adapters "send" (P-8): a row in ``dev_message``.

The simulator's inbox (``/sim/inbox``) shows these rows, so a developer reads the SMS
code or opens the e-mailed certificate without a gateway or a mail server. The caller
commits, so a message exists only if the change that sent it was committed.
"""
from models import DevAttachment, DevMessage
from wechat_hall.extensions import db

CHANNELS = ("sms", "email")


def record(channel, recipient, subject, body, attachments=()):
    """Add a DevMessage (and its attachments, as ``(filename, content_type, bytes)``)."""
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}")
    message = DevMessage(channel=channel, recipient=str(recipient)[:255],
                         subject=str(subject or "")[:255], body=str(body or ""))
    for filename, content_type, data in attachments or ():
        content_type = str(content_type or "application/octet-stream")[:128]
        message.attachments.append(DevAttachment(filename=str(filename)[:255],
                                                 content_type=content_type, data=bytes(data)))
    db.session.add(message)
    return message
