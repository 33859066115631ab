"""Static files under content-hashed names, compressed, cached for a year (issue 15).

At start-up every file of ``h5/static`` is copied to ``STATIC_BUILD_DIR`` (``instance/
static``) as ``name.<hash>.ext`` — the hash of its content, so a changed file gets a new
name — with a gzip twin beside it when that is smaller. ``url_for('static', filename=
'hall.css')`` builds the hashed URL (a ``url_defaults`` hook), and WhiteNoise serves
those files ahead of Flask: ``Content-Encoding: gzip`` to clients that accept it, and
``Cache-Control: max-age=31536000, public, immutable``. The unhashed URLs still work
through Flask's own static route (``no-cache``), for anything that names a file by hand.

Building is idempotent and safe with several processes starting at once: a file whose
hashed name exists is left alone, and each is written to a temporary name then renamed.
"""
import hashlib
import os
import tempfile
from pathlib import Path

from whitenoise import WhiteNoise
from whitenoise.compress import Compressor

YEAR = 365 * 24 * 3600
SKIP = {".txt"}  # licences: shipped with the sources, never linked from a page


def hashed_name(relative, data):
    path = Path(relative)
    digest = hashlib.sha256(data).hexdigest()[:12]
    return str(path.with_name(f"{path.stem}.{digest}{path.suffix}"))


def _write_atomic(target, data):
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.replace(tmp, target)


def build(source, out):
    """Copy and compress; returns ``{"hall.css": "hall.<hash>.css", …}``."""
    compressor = Compressor(use_brotli=False, quiet=True)
    manifest = {}
    for path in sorted(Path(source).rglob("*")):
        if not path.is_file() or path.suffix in SKIP:
            continue
        relative = path.relative_to(source).as_posix()
        data = path.read_bytes()
        name = hashed_name(relative, data)
        manifest[relative] = name
        target = Path(out) / name
        if target.exists():
            continue
        if compressor.should_compress(str(path)):
            packed = compressor.compress_gzip(data)
            if compressor.is_compressed_effectively("Gzip", str(path), len(data), packed):
                _write_atomic(target.with_name(target.name + ".gz"), packed)
        _write_atomic(target, data)  # last: its presence means the twin is there too
    return manifest


def _security_headers(headers, path, url):
    """WhiteNoise answers before Flask, so flask-talisman (headers.py) never sees these
    responses: the header a static file needs, no MIME sniffing, is set here."""
    headers["X-Content-Type-Options"] = "nosniff"


def init_app(app):
    out = Path(app.config["STATIC_BUILD_DIR"])
    manifest = build(app.static_folder, out)
    app.extensions["static_manifest"] = manifest

    @app.url_defaults
    def _hashed(endpoint, values):
        if endpoint == "static" and values.get("filename") in manifest:
            values["filename"] = manifest[values["filename"]]

    app.wsgi_app = WhiteNoise(app.wsgi_app, root=str(out), prefix=app.static_url_path,
                              max_age=YEAR, immutable_file_test=lambda path, url: True,
                              add_headers_function=_security_headers)
