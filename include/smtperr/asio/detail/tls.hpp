// smtperr — SMTP error mapping for mail clients.
// Distributed under the Boost Software License, Version 1.0.

#ifndef SMTPERR_ASIO_DETAIL_TLS_HPP
#define SMTPERR_ASIO_DETAIL_TLS_HPP

/// @file
/// Per-connection TLS setup and certificate verification (compiled in src/asio/tls.cpp).

#include <smtperr/asio/options.hpp>
#include <smtperr/config.hpp>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>

#include <memory>
#include <string>
#include <system_error>

namespace smtperr::asio::detail {

using tls_stream = boost::asio::ssl::stream<boost::asio::ip::tcp::socket>;

/// What certificate verification saw; filled by the verify callback.
struct verify_state {
    bool failed = false;      ///< Some check (chain, host name or pin) failed.
    std::string subject;      ///< The leaf's subject (RFC 2253), untrusted text.
    std::string fingerprint;  ///< SHA-256 of the leaf's DER, "AB:CD:…".
    std::string reason;       ///< Why it failed ("certificate has expired", "pin mismatch").
};

/// A CA store loaded from a PEM file, shared by every connection of one submission.
struct ca_store;
struct ca_store_deleter {
    SMTPERR_DECL void operator()(ca_store* p) const noexcept;
};
using ca_store_ptr = std::unique_ptr<ca_store, ca_store_deleter>;

/// Loads `path`; null when it cannot be read or holds no certificate.
SMTPERR_DECL ca_store_ptr load_ca_file(const std::string& path);

/** Prepares `s` for a client handshake with `o.host`: TLS 1.2+, SNI (for host names),
    peer verification of the chain and name_matches(leaf, tls_host(o.host)) or, when
    `o.pinned_sha256` is set, the pin alone; the extra CA store if any. `st` must outlive
    the handshake.
*/
SMTPERR_DECL std::error_code prepare_tls(tls_stream& s, const submit_options& o,
                                         const ca_store* extra, verify_state& st);

/** After a handshake that succeeded: whether the server presented a certificate and it was
    checked and passed (chain and name, or the pin). OpenSSL skips verification, callback and
    all, when an anonymous cipher suite is negotiated, which a caller's context may allow
    ("ALL:@SECLEVEL=0"): a handshake that succeeded proves nothing by itself. */
SMTPERR_DECL bool peer_verified(tls_stream& s, const submit_options& o, const verify_state& st);

/// The host name as TLS wants it: without the trailing dot of an absolute name (RFC 6066
/// §3 forbids it in SNI, and certificates name hosts without it), and an IPv6 literal
/// without its zone ("fe80::1%eth0" is checked as fe80::1).
SMTPERR_DECL std::string tls_host(const std::string& host);

/** Whether the certificate `leaf` (not null) names `name` (a tls_host() result), by RFC 9525 §6.3:
   an IP literal only against the IP addresses among the subjectAltNames; a host name only against
   the DNS names among them, case-insensitively, where a '*' matches exactly one label and only as
   the whole left-most label ("*.example.com", not "f*.example.com"). The subject's common name is
   never a name, subjectAltNames or not.
*/
SMTPERR_DECL bool name_matches(X509* leaf, const std::string& name);

/// One line for the diagnosis: "certificate subject: …; SHA-256: …; reason: …".
SMTPERR_DECL std::string describe(const verify_state& st);

}  // namespace smtperr::asio::detail

#endif  // SMTPERR_ASIO_DETAIL_TLS_HPP
