"""SimpleSAMLphp (Debian's package) as a SAML 2.0 IdP, served by PHP's built-in server.

Its whole configuration is written into a temporary directory (SIMPLESAMLPHP_CONFIG_DIR):
a signing key and certificate made here, the exampleauth module's test users, and the service
provider's metadata exactly as Samtal publishes it at /sso/saml/metadata.
"""

from __future__ import annotations

import datetime
import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from tests.idp.common import PASSWORD, PEOPLE, free_port, need, stop, wait_until_up

WWW = Path("/usr/share/simplesamlphp/www")


def _signing_pair(directory: Path) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test-IdP")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=2))
        .sign(key, hashes.SHA256())
    )
    (directory / "idp.key").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
    (directory / "idp.crt").write_bytes(cert.public_bytes(serialization.Encoding.PEM))


def _php(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _write_config(root: Path, port: int, sp_metadata: str) -> None:
    for name in ("config", "metadata", "cert", "log", "data", "tmp", "sessions"):
        (root / name).mkdir()
    _signing_pair(root / "cert")
    (root / "sp.xml").write_text(sp_metadata)
    (root / "config" / "config.php").write_text(
        f"""<?php
$config = [
    'baseurlpath' => 'http://127.0.0.1:{port}/',
    'certdir' => {_php(str(root / "cert"))} . '/',
    'loggingdir' => {_php(str(root / "log"))} . '/',
    'datadir' => {_php(str(root / "data"))} . '/',
    'tempdir' => {_php(str(root / "tmp"))},
    'metadatadir' => {_php(str(root / "metadata"))} . '/',
    'metadata.sources' => [
        ['type' => 'flatfile'],
        ['type' => 'xml', 'file' => {_php(str(root / "sp.xml"))}],
    ],
    'technicalcontact_name' => 'Test',
    'technicalcontact_email' => 'test@example.org',
    'secretsalt' => 'samtal-test-salt',
    'auth.adminpassword' => 'samtal-test-admin',
    'timezone' => 'UTC',
    'enable.saml20-idp' => true,
    'module.enable' => ['exampleauth' => true, 'core' => true, 'saml' => true],
    'logging.handler' => 'file',
    'logging.logfile' => 'simplesamlphp.log',
    'logging.level' => SimpleSAML\\Logger::WARNING,
    'store.type' => 'phpsession',
    'session.phpsession.savepath' => {_php(str(root / "sessions"))},
    'session.cookie.secure' => false,
    'session.cookie.samesite' => null,
    'language.cookie.secure' => false,
    'language.cookie.samesite' => null,
    'language.default' => 'en',
    'production' => false,
];
"""
    )
    users = "\n".join(
        f"        {_php(f'{user}:{PASSWORD}')} => ["
        f"'mail' => [{_php(person['email'])}], 'cn' => [{_php(person['name'])}]],"
        for user, person in PEOPLE.items()
    )
    (root / "config" / "authsources.php").write_text(
        f"""<?php
$config = [
    'admin' => ['core:AdminPassword'],
    'test-users' => [
        'exampleauth:UserPass',
{users}
    ],
];
"""
    )
    (root / "metadata" / "saml20-idp-hosted.php").write_text(
        """<?php
$metadata['__DYNAMIC:1__'] = [
    'host' => '__DEFAULT__',
    'privatekey' => 'idp.key',
    'certificate' => 'idp.crt',
    'auth' => 'test-users',
    'attributes.NameFormat' => 'urn:oasis:names:tc:SAML:2.0:attrname-format:basic',
];
"""
    )


@contextmanager
def running_idp(root: Path, sp_metadata: str) -> Iterator[str]:
    """Serve the IdP on loopback; yields its metadata URL."""
    php = need("php", "apt-get install php-cli php-xml php-mbstring")
    if not (WWW / "index.php").exists():
        need("simplesamlphp-is-missing", "apt-get install simplesamlphp")
    need("xmlsec1", "apt-get install xmlsec1")
    port = free_port()
    _write_config(root, port, sp_metadata)
    log_path = str(root / "php-server.log")
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [php, "-S", f"127.0.0.1:{port}", "-t", str(WWW)],
            env={**os.environ, "SIMPLESAMLPHP_CONFIG_DIR": str(root / "config")},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    metadata_url = f"http://127.0.0.1:{port}/saml2/idp/metadata.php"
    try:
        wait_until_up(metadata_url, process, log_path)
        yield metadata_url
    finally:
        stop(process)
