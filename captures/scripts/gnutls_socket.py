"""Minimal GnuTLS (libgnutls.so.30) binding over ctypes: wraps a connected socket as a TLS server or client.

Python's ssl module is OpenSSL, and OpenSSL 3.0 as Debian builds it no longer offers 3DES or RC4 suites;
GnuTLS 3.7 still does (priority strings such as "NORMAL:-CIPHER-ALL:+ARCFOUR-128"). GnuTLS writes the NSS
key log itself when SSLKEYLOGFILE is set in the environment.
"""
import ctypes
import ctypes.util

_lib = ctypes.CDLL(ctypes.util.find_library("gnutls") or "libgnutls.so.30")
_lib.gnutls_strerror.restype = ctypes.c_char_p
_lib.gnutls_record_send.restype = ctypes.c_ssize_t
_lib.gnutls_record_recv.restype = ctypes.c_ssize_t
_lib.gnutls_session_get_desc.restype = ctypes.c_void_p

GNUTLS_SERVER, GNUTLS_CLIENT = 1, 2
GNUTLS_X509_FMT_PEM = 1
GNUTLS_CRD_CERTIFICATE = 1
GNUTLS_SHUT_WR = 1
GNUTLS_E_AGAIN, GNUTLS_E_INTERRUPTED = -28, -52


def _check(ret, what):
    if ret < 0:
        raise OSError(f"{what}: {_lib.gnutls_strerror(ret).decode()}")
    return ret


_check(_lib.gnutls_global_init(), "gnutls_global_init")


class GnuTlsSocket:
    """TLS over an already connected socket `sock` (kept open by the caller)."""

    def __init__(self, sock, server, priority, cert=None, key=None):
        self._sock = sock
        self._cred = ctypes.c_void_p()
        _check(_lib.gnutls_certificate_allocate_credentials(ctypes.byref(self._cred)), "allocate credentials")
        if server:
            _check(_lib.gnutls_certificate_set_x509_key_file(self._cred, cert.encode(), key.encode(), GNUTLS_X509_FMT_PEM),
                   "set_x509_key_file")
        self._session = ctypes.c_void_p()
        _check(_lib.gnutls_init(ctypes.byref(self._session), GNUTLS_SERVER if server else GNUTLS_CLIENT), "gnutls_init")
        err = ctypes.c_char_p()
        _check(_lib.gnutls_priority_set_direct(self._session, priority.encode(), ctypes.byref(err)), "priority " + priority)
        _check(_lib.gnutls_credentials_set(self._session, GNUTLS_CRD_CERTIFICATE, self._cred), "credentials_set")
        _lib.gnutls_transport_set_int2(self._session, sock.fileno(), sock.fileno())
        while True:
            ret = _lib.gnutls_handshake(self._session)
            if ret >= 0:
                break
            if _lib.gnutls_error_is_fatal(ret):
                _check(ret, "handshake")

    def description(self):
        p = _lib.gnutls_session_get_desc(self._session)
        return ctypes.string_at(p).decode() if p else "?"

    def sendall(self, data):
        view = bytes(data)
        while view:
            n = _lib.gnutls_record_send(self._session, view, len(view))
            if n in (GNUTLS_E_AGAIN, GNUTLS_E_INTERRUPTED):
                continue
            _check(n, "record_send")
            view = view[n:]

    def recv(self, size):
        buf = ctypes.create_string_buffer(size)
        while True:
            n = _lib.gnutls_record_recv(self._session, buf, size)
            if n in (GNUTLS_E_AGAIN, GNUTLS_E_INTERRUPTED):
                continue
            if n < 0:
                return b""  # peer reset or alert: end of stream for a scripted dialogue
            return buf.raw[:n]

    def close(self):
        _lib.gnutls_bye(self._session, GNUTLS_SHUT_WR)
        _lib.gnutls_deinit(self._session)
        _lib.gnutls_certificate_free_credentials(self._cred)
