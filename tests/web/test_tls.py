"""The local certificate for ``moksori serve --https``: made once, kept, renewed when needed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from cryptography import x509

from moksori.web.tls import certificate_names, ensure_certificate, lan_addresses, qr_svg


def test_the_certificate_is_made_kept_and_renewed(tmp_path):
    names = ["localhost", "127.0.0.1", "192.168.0.7"]
    cert_path, key_path = ensure_certificate(tmp_path, names)
    cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert {str(ip) for ip in san.get_values_for_type(x509.IPAddress)} == {"127.0.0.1", "192.168.0.7"}
    assert key_path.stat().st_mode & 0o777 == 0o600
    first = cert_path.read_bytes()
    assert ensure_certificate(tmp_path, names)[0].read_bytes() == first  # kept across starts
    assert ensure_certificate(tmp_path, names[:2])[0].read_bytes() == first  # still covers fewer names
    moved = ensure_certificate(tmp_path, ["localhost", "127.0.0.1", "10.0.0.9"])[0].read_bytes()
    assert moved != first  # the computer got another LAN address
    later = datetime.now(UTC) + timedelta(days=810)
    assert ensure_certificate(tmp_path, ["localhost", "127.0.0.1", "10.0.0.9"], now=later)[0].read_bytes() != moved


def test_lan_addresses_and_the_qr_code():
    addresses = lan_addresses()
    assert "127.0.0.1" not in addresses
    names = certificate_names(addresses)
    assert names[:2] == ["localhost", "127.0.0.1"] and all(a in names for a in addresses)
    svg = qr_svg("https://192.168.0.7:8000/")
    assert svg.startswith("<svg") and "<path" in svg
