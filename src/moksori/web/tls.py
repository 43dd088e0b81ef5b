"""HTTPS for phones on the home network: browsers give a page the microphone only over https (or
on the computer itself), so ``moksori serve --https`` makes a local certificate, keeps it in the
data folder, and shows the LAN address as text and as a QR code.

The certificate is self-signed: the phone's browser warns once, and the person accepts it for this
address. It is made again when it nears its end or when the computer's LAN address changes.
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
from datetime import UTC, datetime, timedelta
from pathlib import Path

import segno
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from moksori.files import atomic_write

CERT_NAME, KEY_NAME = "cert.pem", "key.pem"
# Apple's limit for certificates that browsers accept; renewed when less than RENEW_BEFORE is left.
VALIDITY = timedelta(days=825)
RENEW_BEFORE = timedelta(days=30)


def lan_addresses() -> list[str]:
    """This computer's IPv4 addresses on the local network, best first. Asking the kernel which
    interface would route to a private address sends no packet (UDP ``connect`` only picks a route)."""
    found: list[str] = []
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe, contextlib.suppress(OSError):
        probe.connect(("10.254.254.254", 1))
        found.append(probe.getsockname()[0])
    with contextlib.suppress(OSError):  # no name for this computer in its own resolver
        found += socket.gethostbyname_ex(socket.gethostname())[2]
    return [a for a in dict.fromkeys(found) if not ipaddress.ip_address(a).is_loopback]


def certificate_names(addresses: list[str]) -> list[str]:
    hostname = socket.gethostname()
    return list(dict.fromkeys(["localhost", "127.0.0.1", *addresses, hostname, f"{hostname}.local"]))


def _covers(cert: x509.Certificate, names: list[str]) -> bool:
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return False
    present = {str(v) for v in san.get_values_for_type(x509.IPAddress)} | set(san.get_values_for_type(x509.DNSName))
    return set(names) <= present


def ensure_certificate(folder: Path, names: list[str], now: datetime | None = None) -> tuple[Path, Path]:
    """``(cert, key)`` in ``folder``: the kept pair when it still covers ``names`` and is not near its
    end, else a new one."""
    now = now or datetime.now(UTC)
    cert_path, key_path = folder / CERT_NAME, folder / KEY_NAME
    if cert_path.exists() and key_path.exists():
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        if cert.not_valid_after_utc - now > RENEW_BEFORE and _covers(cert, names):
            return cert_path, key_path
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Moksori on this computer")])
    alternative = []
    for name in names:
        try:
            alternative.append(x509.IPAddress(ipaddress.ip_address(name)))
        except ValueError:
            alternative.append(x509.DNSName(name))
    cert = (
        x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5)).not_valid_after(now + VALIDITY)
        .add_extension(x509.SubjectAlternativeName(alternative), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(key, hashes.SHA256())
    )
    with atomic_write(key_path) as out:  # private (0600)
        out.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption()))
    with atomic_write(cert_path, permissions=0o644) as out:
        out.write(cert.public_bytes(serialization.Encoding.PEM))
    return cert_path, key_path


def qr_text(url: str) -> str:
    """The QR code of ``url`` drawn with characters, for the terminal."""
    from io import StringIO

    out = StringIO()
    segno.make(url, error="m").terminal(out, compact=True)
    return out.getvalue()


def qr_svg(url: str) -> str:
    return segno.make(url, error="m").svg_inline(scale=6, dark="#1a1a1a", light="#ffffff")
