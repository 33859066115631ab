"""E-mail adapter. ``dev`` records to the inbox (with attachments); ``smtp`` sends."""
import logging
import smtplib
import ssl
from email.message import EmailMessage

log = logging.getLogger(__name__)


class DevMail:
    def __init__(self, config):
        self.config = config

    def send(self, to, subject, body, attachments=(), message_id=None):
        """``attachments``: ``(filename, content_type, bytes)`` triples; ``message_id``
        (the local part): the same for a mail sent again, so a mailbox can tell."""
        from .dev_inbox import record
        record("email", to, subject, body, list(attachments))
        return {"backend": "dev"}


class SmtpMail:
    def __init__(self, config):
        self.config = config
        if not config["SMTP_HOST"]:
            raise RuntimeError("MAIL_BACKEND=smtp needs SMTP_HOST")

    def send(self, to, subject, body, attachments=(), message_id=None):
        cfg = self.config
        msg = EmailMessage()
        msg["From"], msg["To"], msg["Subject"] = cfg["MAIL_FROM"], to, subject
        if message_id:
            msg["Message-ID"] = f"<{message_id}@{cfg['MAIL_FROM'].rpartition('@')[2]}>"
        msg.set_content(body)
        for filename, content_type, data in attachments:
            maintype, _, subtype = content_type.partition("/")
            msg.add_attachment(data, maintype=maintype, subtype=subtype or "octet-stream",
                               filename=filename)
        port = cfg["SMTP_PORT"]
        # SMTP_SECURITY: ssl (implicit TLS), starttls, or none (a relay on loopback, tests).
        security = cfg.get("SMTP_SECURITY") or ("ssl" if port == 465 else "starttls")
        if security == "ssl":
            server = smtplib.SMTP_SSL(cfg["SMTP_HOST"], port, timeout=20,
                                      context=ssl.create_default_context())
        else:
            server = smtplib.SMTP(cfg["SMTP_HOST"], port, timeout=20)
            if security != "none":
                server.starttls(context=ssl.create_default_context())
        with server:
            if cfg["SMTP_USER"]:
                server.login(cfg["SMTP_USER"], cfg["SMTP_PASSWORD"])
            server.send_message(msg)
        log.info("mail '%s' sent", subject)
        return {"backend": "smtp"}


BACKENDS = {"dev": DevMail, "smtp": SmtpMail}
