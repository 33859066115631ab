"""Masking of personal data on screens and in logs (docs/FEATURES.md, quality bar)."""


def mask_phone(phone):
    """18912340024 → 189****0024"""
    if not phone or len(phone) < 7:
        return phone or ""
    return f"{phone[:3]}****{phone[-4:]}"


def mask_id_number(number):
    """211...0003 → 211****0003"""
    if not number or len(number) < 7:
        return number or ""
    return f"{number[:3]}****{number[-4:]}"


def mask_name(name):
    """张安 → *安; a single character stays as it is."""
    if not name or len(name) < 2:
        return name or ""
    return "*" * (len(name) - 1) + name[-1]


def mask_openid(openid):
    if not openid:
        return ""
    return f"{openid[:4]}…{openid[-4:]}" if len(openid) > 10 else openid


def mask_email(email):
    """zhang.an@example.com → z***n@example.com; a one- or two-letter name keeps its first."""
    if not email or "@" not in email:
        return email or ""
    name, _, domain = email.rpartition("@")
    shown = f"{name[0]}***{name[-1]}" if len(name) > 2 else f"{name[:1]}***"
    return f"{shown}@{domain}"
