"""Log lines: JSON (one object per line, for the log shipper) or text (for a terminal).

``LOG_FORMAT=json`` (the default in production) turns every record of the process into
one JSON line with the time, level, logger, message, the current request id and the
record's ``fields`` (what :func:`event` passes). Messages are scrubbed as a last guard:
phone numbers, ID numbers and openids that a careless message might carry are masked
with ``wechat_hall.masking`` before the line is written.
"""
import json
import logging
import re
import sys
import time

from wechat_hall.masking import mask_id_number, mask_openid, mask_phone

from . import context

_PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
_ID_NUMBER = re.compile(r"(?<![\dA-Za-z])\d{17}[\dXx](?![\dA-Za-z])")
_OPENID = re.compile(r"(?<![A-Za-z0-9_-])o[A-Za-z0-9_-]{27}(?![A-Za-z0-9_-])")


def scrub(text):
    """Mask anything in ``text`` shaped like a phone, an ID number or an openid."""
    if not text or not isinstance(text, str):
        return text
    text = _ID_NUMBER.sub(lambda m: mask_id_number(m.group()), text)
    text = _PHONE.sub(lambda m: mask_phone(m.group()), text)
    return _OPENID.sub(lambda m: mask_openid(m.group()), text)


class JsonFormatter(logging.Formatter):
    _second = (None, "")  # the last second formatted: most lines share it

    def _timestamp(self, created):
        whole = int(created)
        second, text = self._second
        if second != whole:
            text = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(whole))
            self._second = (whole, text)
        return f"{text}.{int((created - whole) * 1000):03d}Z"

    def format(self, record):
        line = {
            "ts": self._timestamp(record.created),
            "level": record.levelname,
            "logger": record.name,
            "pid": record.process,
            "msg": scrub(record.getMessage()),
        }
        rid = getattr(record, "request_id", None) or context.current()
        if rid:
            line["request_id"] = rid
        fields = getattr(record, "fields", None)
        if fields:
            line.update(fields)
        if record.exc_info:
            line["exc"] = scrub(self.formatException(record.exc_info))
        return json.dumps(line, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    def __init__(self):
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record):
        text = scrub(super().format(record))
        fields = getattr(record, "fields", None)
        if fields:
            text += " " + " ".join(f"{k}={v}" for k, v in fields.items())
        return text


def formatter(kind):
    return JsonFormatter() if kind == "json" else TextFormatter()


def configure(kind, level=logging.INFO):
    """Route every record of this process to standard error in ``kind`` format."""
    root = logging.getLogger()
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter(kind))
    root.handlers[:] = [handler]
    root.setLevel(level)
    # gunicorn's and RQ's own loggers write through ours, so a line is JSON too; RQ's
    # per-job INFO lines say what our job line says already.
    for name in ("gunicorn.error", "rq.worker"):
        logger = logging.getLogger(name)
        logger.handlers[:] = []
        logger.propagate = True
    logging.getLogger("rq.worker").setLevel(logging.WARNING if kind == "json" else level)


def event(logger, message, **fields):
    """One structured line: ``message`` plus ``fields`` (never personal data)."""
    if logger.isEnabledFor(logging.INFO):
        logger.info(message, extra={"fields": fields})
