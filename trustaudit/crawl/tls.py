"""TLS facts from our own handshake (stdlib ``ssl``), the certificate parsed with ``cryptography``.

A verifying handshake gives the verdict; when it fails, a permissive handshake still fetches the certificate
so the report can say *what* is wrong with it. Nothing here raises for a bad server: failures become
``TlsInfo.error``.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import ipaddress
import os
import socket
import ssl
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING

from trustaudit.models import TlsInfo

if TYPE_CHECKING:  # cryptography is imported where a certificate is read: an http:// shop never needs it
    from cryptography import x509

_VERIFY_MESSAGES = {
    9: "certificate is not yet valid",
    10: "certificate has expired",
    18: "self-signed certificate",
    19: "self-signed certificate in certificate chain",
    20: "unable to get local issuer certificate",
    21: "unable to verify the first certificate",
    62: "hostname mismatch",
    66: "certificate key too weak",
    67: "CA certificate key too weak",
    68: "certificate signature algorithm too weak",
}
_OLD_PROTOCOLS = {"SSLv3", "TLSv1", "TLSv1.1"}


def ca_file(ca_bundle: str | None) -> str | None:
    """The CA bundle to trust: options.ca_bundle, else SSL_CERT_FILE, else certifi (None: system default)."""
    if ca_bundle:
        return ca_bundle
    env = os.environ.get("SSL_CERT_FILE")
    if env and os.path.isfile(env):
        return env
    try:
        import certifi

        return certifi.where()
    except ImportError:  # pragma: no cover - certifi ships with httpx
        return None


def verify_context(ca_bundle: str | None, *, check_hostname: bool = True) -> ssl.SSLContext:
    """A verifying client context (cached per bundle file). Raises OSError/ssl.SSLError for a bad bundle.

    Contexts are shared between crawls: they hold trust settings and a TLS session cache, no cookies.
    Callers must not modify the returned context.
    """
    if ca_bundle and not os.path.isfile(ca_bundle):
        raise FileNotFoundError(f"CA bundle not found: {ca_bundle}")
    path = ca_file(ca_bundle)
    mtime = os.path.getmtime(path) if path and os.path.isfile(path) else 0.0
    return _cached_context(path, mtime, check_hostname)


@functools.lru_cache(maxsize=8)
def _cached_context(path: str | None, _mtime: float, check_hostname: bool) -> ssl.SSLContext:
    ctx = ssl.create_default_context(cafile=path)
    ctx.check_hostname = check_hostname
    return ctx


def insecure_context() -> ssl.SSLContext:
    """No verification, old protocols and weak keys accepted: only to read content / the certificate."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            ctx.minimum_version = ssl.TLSVersion.TLSv1
        except (ValueError, ssl.SSLError):  # pragma: no cover - depends on the local OpenSSL
            pass
    try:
        ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
    except ssl.SSLError:  # pragma: no cover
        pass
    return ctx


@dataclass(frozen=True)
class CertFacts:
    issuer: str | None = None
    subject: str | None = None
    not_before: str | None = None
    not_after: str | None = None
    days_left: int | None = None
    key_type: str | None = None
    key_bits: int | None = None
    self_signed: bool | None = None
    hostname_match: bool | None = None
    in_dates: bool | None = None


def _name(name: x509.Name) -> str:
    try:
        return name.rfc4514_string()
    except Exception:  # noqa: BLE001
        return str(name)


def _iso(d: dt.datetime) -> str:
    if d.tzinfo is None:
        d = d.replace(tzinfo=dt.timezone.utc)
    return d.astimezone(dt.timezone.utc).isoformat().replace("+00:00", "Z")


def hostname_matches(cert: x509.Certificate, host: str) -> bool:
    """RFC 6125 matching against subjectAltName (DNS names with a left-most wildcard, IP addresses)."""
    from cryptography import x509
    from cryptography.x509.oid import ExtensionOID

    host = host.lower().rstrip(".").strip("[]")
    try:
        san = cert.extensions.get_extension_for_oid(ExtensionOID.SUBJECT_ALTERNATIVE_NAME).value
    except x509.ExtensionNotFound:
        return False
    except Exception:  # noqa: BLE001 - malformed extension
        return False
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        ip = None
    if ip is not None:
        return any(a == ip for a in san.get_values_for_type(x509.IPAddress))
    for pattern in san.get_values_for_type(x509.DNSName):
        if _dns_match(pattern.lower().rstrip("."), host):
            return True
    return False


def _dns_match(pattern: str, host: str) -> bool:
    if pattern == host:
        return True
    if not pattern.startswith("*."):
        return False
    suffix = pattern[1:]  # ".example.com"
    if not host.endswith(suffix):
        return False
    label = host[: -len(suffix)]
    return bool(label) and "." not in label and suffix.count(".") >= 2


def cert_facts(der: bytes, host: str, now: dt.datetime | None = None) -> CertFacts:
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa

    cert = x509.load_der_x509_certificate(der)
    now = now or dt.datetime.now(dt.timezone.utc)
    nb = cert.not_valid_before_utc
    na = cert.not_valid_after_utc
    key = cert.public_key()
    key_type: str | None
    bits: int | None = getattr(key, "key_size", None)
    if isinstance(key, rsa.RSAPublicKey):
        key_type = "RSA"
    elif isinstance(key, ec.EllipticCurvePublicKey):
        key_type = f"EC {key.curve.name}"
    elif isinstance(key, ed25519.Ed25519PublicKey):
        key_type, bits = "Ed25519", 256
    elif isinstance(key, ed448.Ed448PublicKey):
        key_type, bits = "Ed448", 456
    elif isinstance(key, dsa.DSAPublicKey):
        key_type = "DSA"
    else:
        key_type = type(key).__name__
    self_signed = cert.issuer == cert.subject
    if self_signed:
        try:
            cert.verify_directly_issued_by(cert)
        except Exception:  # noqa: BLE001 - same name but not its own signature
            self_signed = False
    return CertFacts(
        issuer=_name(cert.issuer),
        subject=_name(cert.subject),
        not_before=_iso(nb),
        not_after=_iso(na),
        days_left=(na - now).days,
        key_type=key_type,
        key_bits=bits,
        self_signed=self_signed,
        hostname_match=hostname_matches(cert, host),
        in_dates=nb <= now <= na,
    )


def _first_line(s: str) -> str:
    s = " ".join(str(s).split())
    return s[:200]


def _connect(addresses: tuple[str, ...], port: int, timeout: float) -> socket.socket:
    """A TCP connection to the first of ``addresses`` (already checked by the gate) that answers."""
    last: OSError | None = None
    for ip in addresses[:4]:
        try:
            return socket.create_connection((ip, port), timeout=timeout)
        except TimeoutError:
            raise
        except OSError as e:
            last = e
    raise last or OSError("no address to connect to")


def _handshake(
    host: str, port: int, ctx: ssl.SSLContext, timeout: float, addresses: tuple[str, ...]
) -> tuple[bytes | None, str | None]:
    server_hostname = None if _is_ip(host) else host
    with _connect(addresses, port, timeout) as sock:
        sock.settimeout(timeout)
        with ctx.wrap_socket(sock, server_hostname=server_hostname) as tls:
            return tls.getpeercert(binary_form=True), tls.version()


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
        return True
    except ValueError:
        return False


def _describe_ssl_error(e: BaseException) -> str:
    if isinstance(e, ssl.SSLCertVerificationError):
        code = getattr(e, "verify_code", None)
        msg = _VERIFY_MESSAGES.get(code) if code is not None else None
        return msg or _first_line(getattr(e, "verify_message", "") or str(e))
    reason = getattr(e, "reason", None)
    if reason:
        r = str(reason).lower().replace("_", " ")
        if "unsupported protocol" in r or "version" in r:
            return f"handshake failed: {r} (the server may offer only obsolete TLS versions)"
        return f"handshake failed: {r}"
    return _first_line(str(e))


def check_tls_blocking(
    host: str, port: int, ca_bundle: str | None, timeout: float, addresses: tuple[str, ...] | None = None
) -> TlsInfo:
    """Handshake with host:port and describe the certificate. Blocking; run it in a thread.

    ``addresses``: where to connect (the gate's checked addresses for ``host``); the certificate is still
    verified for ``host``. None: ``host`` itself (an IP literal or a name resolved here; tests only)."""
    host = host.strip("[]")
    addresses = addresses if addresses is not None else (host,)
    try:
        # the hostname verdict is our own (hostname_matches), reported separately
        ctx = verify_context(ca_bundle, check_hostname=False)
    except (OSError, ssl.SSLError) as e:
        return TlsInfo(https=True, checked=True, error=f"cannot load CA bundle: {_first_line(str(e))}")
    chain_ok = False
    error: str | None = None
    der: bytes | None = None
    protocol: str | None = None
    try:
        der, protocol = _handshake(host, port, ctx, timeout, addresses)
        chain_ok = True
    except ssl.SSLError as e:
        error = _describe_ssl_error(e)
    except TimeoutError:
        return TlsInfo(https=True, checked=True, error=f"TLS handshake with {host}:{port} timed out")
    except OSError as e:
        return TlsInfo(https=True, checked=True, error=f"cannot connect to {host}:{port}: {_oserror(e)}")
    if der is None:
        try:
            der, protocol = _handshake(host, port, insecure_context(), timeout, addresses)
        except (ssl.SSLError, OSError) as e:
            return TlsInfo(https=True, valid=False, checked=True, error=error or _first_line(str(e)))
    facts = CertFacts()
    if der:
        try:
            facts = cert_facts(der, host)
        except Exception as e:  # noqa: BLE001 - a certificate we cannot parse is itself a finding
            error = error or f"unparseable certificate: {_first_line(str(e))}"
    if protocol in _OLD_PROTOCOLS:
        error = f"server only offers obsolete protocol {protocol}" if not chain_ok else f"obsolete protocol {protocol}"
    if chain_ok and facts.hostname_match is False:
        error = error or "hostname mismatch"
    if chain_ok and facts.in_dates is False:
        error = error or "certificate is outside its validity period"
    valid = bool(chain_ok and facts.hostname_match and facts.in_dates and protocol not in _OLD_PROTOCOLS)
    return TlsInfo(
        https=True,
        valid=valid,
        hostname_match=facts.hostname_match,
        issuer=facts.issuer,
        subject=facts.subject,
        not_before=facts.not_before,
        not_after=facts.not_after,
        days_left=facts.days_left,
        protocol=protocol,
        key_type=facts.key_type,
        key_bits=facts.key_bits,
        self_signed=facts.self_signed,
        error=None if valid else error,
        checked=True,
    )


def _oserror(e: OSError) -> str:
    if isinstance(e, ConnectionRefusedError):
        return "connection refused"
    if isinstance(e, socket.gaierror):
        return "cannot resolve host"
    return _first_line(e.strerror or str(e))


async def check_tls(
    host: str, port: int, ca_bundle: str | None, timeout: float, addresses: tuple[str, ...] | None = None
) -> TlsInfo:
    return await asyncio.to_thread(check_tls_blocking, host, port, ca_bundle, timeout, addresses)


def parse_hsts(value: str | None) -> tuple[bool, int | None]:
    """Strict-Transport-Security header -> (hsts on, max-age). ``max-age=0`` switches HSTS off."""
    if not value:
        return False, None
    max_age: int | None = None
    for part in value.split(";"):
        k, _, v = part.strip().partition("=")
        if k.strip().lower() == "max-age":
            try:
                max_age = int(v.strip().strip('"'))
            except ValueError:
                max_age = None
    if max_age is None:
        return False, None
    return max_age > 0, max_age
