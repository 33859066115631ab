"""PDF signatures (Q-8) with pyHanko: a CMS signature over the file, by the configured
certificate.

Production sets ``CERT_SIGNING_KEY`` and ``CERT_SIGNING_CERT`` (PEM files; the key may be
protected by ``CERT_SIGNING_KEY_PASSWORD``) and optionally ``CERT_SIGNING_CHAIN`` (the
intermediate certificates). Development generates a self-signed RSA certificate on first
use and keeps it under ``instance/certs/`` (one PEM file holding the key and the
certificate, written atomically so two processes never pair one's key with the other's
certificate).
"""
import os
import tempfile
from datetime import datetime, timedelta, timezone
from io import BytesIO
from pathlib import Path

DEV_FILE = "dev-signing.pem"
DEV_SUBJECT = "中国结算营业厅 电子凭证签名（开发用）"


def _dev_pem(cert_dir):
    """The development key and certificate (PEM), made on first use."""
    path = Path(cert_dir) / DEV_FILE
    if path.exists():
        return path.read_bytes()
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "中国证券登记结算有限责任公司（演示）"),
                      x509.NameAttribute(NameOID.COMMON_NAME, DEV_SUBJECT)])
    now = datetime.now(timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True,
                                         key_encipherment=False, data_encipherment=False,
                                         key_agreement=False, key_cert_sign=True,
                                         crl_sign=False, encipher_only=False,
                                         decipher_only=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION,
                                                  ExtendedKeyUsageOID.CODE_SIGNING]),
                           critical=False)
            .sign(key, hashes.SHA256()))
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()) + cert.public_bytes(
        serialization.Encoding.PEM)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".signing-")
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
    os.chmod(tmp, 0o600)
    try:
        os.link(tmp, path)  # first writer wins; a loser reads the winner's file
    except FileExistsError:
        pass
    finally:
        os.unlink(tmp)
    return path.read_bytes()


def signer_files(config):
    """(key PEM bytes, certificate PEM bytes, [chain PEM bytes], password or None)."""
    key_path, cert_path = config.get("CERT_SIGNING_KEY"), config.get("CERT_SIGNING_CERT")
    if key_path and cert_path:
        chain = config.get("CERT_SIGNING_CHAIN")
        password = config.get("CERT_SIGNING_KEY_PASSWORD") or None
        return (Path(key_path).read_bytes(), Path(cert_path).read_bytes(),
                [Path(chain).read_bytes()] if chain else [],
                password.encode() if password else None)
    if config.get("HALL_ENV") == "production":
        raise RuntimeError("HALL_ENV=production needs CERT_SIGNING_KEY and CERT_SIGNING_CERT")
    pem = _dev_pem(config.get("CERT_DIR") or _default_dir())
    return pem, pem, [], None


def _default_dir():
    from wechat_hall.config import INSTANCE
    return INSTANCE / "certs"


def _load(config):
    from asn1crypto import pem as asn1pem
    from asn1crypto import x509 as asn1x509
    from pyhanko.keys import load_private_key_from_pemder_data
    from pyhanko.sign import signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    key_pem, cert_pem, chain, password = signer_files(config)
    key = load_private_key_from_pemder_data(_only(key_pem, "PRIVATE KEY"), passphrase=password)
    certs = [asn1x509.Certificate.load(der) for _, _, der in
             asn1pem.unarmor(_only(cert_pem, "CERTIFICATE"), multiple=True)]
    extra = [asn1x509.Certificate.load(der) for data in chain
             for _, _, der in asn1pem.unarmor(data, multiple=True)]
    return signers.SimpleSigner(signing_cert=certs[0], signing_key=key,
                                cert_registry=SimpleCertificateStore.from_certs(certs + extra))


def _only(pem, label):
    """The PEM blocks of ``pem`` whose label contains ``label`` (key and certificate may
    share one file)."""
    blocks, keep = [], False
    for line in pem.decode("ascii").splitlines(keepends=True):
        if line.startswith("-----BEGIN"):
            keep = label in line
        if keep:
            blocks.append(line)
        if line.startswith("-----END"):
            keep = False
    return "".join(blocks).encode("ascii") if blocks else pem


def certificate(config):
    """The signing certificate (asn1crypto), e.g. as the trust root of a validation."""
    return _load(config).signing_cert


def _off_loop(fn, *args):
    """pyHanko's synchronous calls run ``asyncio.run``, which refuses to start inside a
    running event loop (Playwright's sync API, an async server): use a thread then."""
    import asyncio
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return fn(*args)
    from concurrent.futures import ThreadPoolExecutor
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(fn, *args).result()


def sign(pdf_bytes, config):
    """The PDF with an approval signature in field ``Signature1``."""
    return _off_loop(_sign, pdf_bytes, config)


def _sign(pdf_bytes, config):
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers
    meta = signers.PdfSignatureMetadata(field_name="Signature1", reason="电子凭证",
                                        location="中国结算营业厅", md_algorithm="sha256")
    writer = IncrementalPdfFileWriter(BytesIO(pdf_bytes))
    out = signers.sign_pdf(writer, meta, signer=_load(config))
    return out.getvalue()


def validate(pdf_bytes, trust_roots):
    """pyHanko's verdict on the first signature: an object with ``intact``, ``valid``,
    ``trusted`` and ``bottom_line``."""
    return _off_loop(_validate, pdf_bytes, list(trust_roots))


def _validate(pdf_bytes, trust_roots):
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext
    reader = PdfFileReader(BytesIO(pdf_bytes))
    context = ValidationContext(trust_roots=list(trust_roots), allow_fetching=False)
    return validate_pdf_signature(reader.embedded_signatures[0], context)
