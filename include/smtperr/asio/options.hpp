// smtperr — SMTP error mapping for mail clients.
// Distributed under the Boost Software License, Version 1.0.

#ifndef SMTPERR_ASIO_OPTIONS_HPP
#define SMTPERR_ASIO_OPTIONS_HPP

/// @file
/// What the Boost.Asio submission transport needs to know: server, TLS, credentials,
/// timeouts and the message. No Asio here, so option parsing code need not include it.

#include <smtperr/config.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace spdlog {
class logger;
}  // namespace spdlog

namespace smtperr::asio {

/// How the connection is protected.
enum class tls_mode : unsigned char {
    none,      ///< Plain TCP for the whole session (no AUTH unless explicitly allowed).
    starttls,  ///< Plain TCP, then STARTTLS (RFC 3207); TLS is required, never skipped.
    implicit,  ///< TLS from the first byte (RFC 8314 §3, port 465).
};

/// SASL mechanisms the transport implements.
enum class sasl_mechanism : unsigned char {
    plain,        ///< RFC 4616, with an initial response.
    login,        ///< The obsolete but ubiquitous LOGIN mechanism.
    xoauth2,      ///< Google/Microsoft XOAUTH2 (bearer token).
    oauthbearer,  ///< RFC 7628 OAUTHBEARER (bearer token).
};

/** What the client signs in with: a password or an OAuth 2.0 bearer token, never both.

    The secrets never reach a log, a transcript, an event or an error message.
*/
struct credentials {
    std::string user;         ///< The account name (also the OAuth `user=` / `a=` value).
    std::string password;     ///< For PLAIN and LOGIN; empty when a token is used.
    std::string oauth_token;  ///< For XOAUTH2 and OAUTHBEARER; empty when a password is used.
};

/** Per-phase timeouts (RFC 5321 §4.5.3.2 minimums are the defaults where it gives one).

    Each covers one wait for one reply (or one write of one block of message data); a timer
    that fires ends the session with `errc::timed_out`.
*/
struct timeouts {
    /// Resolve, each connect attempt, and the implicit-TLS handshake.
    std::chrono::milliseconds connect{std::chrono::seconds(30)};
    std::chrono::milliseconds greeting{std::chrono::minutes(5)};    ///< §4.5.3.2.1.
    std::chrono::milliseconds ehlo{std::chrono::minutes(5)};        ///< EHLO / HELO reply.
    std::chrono::milliseconds starttls{std::chrono::minutes(2)};    ///< STARTTLS reply + handshake.
    std::chrono::milliseconds auth{std::chrono::minutes(2)};        ///< Each AUTH exchange step.
    std::chrono::milliseconds mail{std::chrono::minutes(5)};        ///< §4.5.3.2.2.
    std::chrono::milliseconds rcpt{std::chrono::minutes(5)};        ///< §4.5.3.2.3.
    std::chrono::milliseconds data_init{std::chrono::minutes(2)};   ///< §4.5.3.2.4, the 354.
    std::chrono::milliseconds data_block{std::chrono::minutes(3)};  ///< §4.5.3.2.5, per write.
    std::chrono::milliseconds data_end{std::chrono::minutes(10)};   ///< §4.5.3.2.6, after ".".
    std::chrono::milliseconds quit{std::chrono::seconds(30)};       ///< The 221 to QUIT.
    /// After the 221 over TLS: our close_notify out and the server's back (RFC 8446 §6.1).
    /// Short, since the session is over either way; a server that closes TCP ends it sooner.
    std::chrono::milliseconds tls_shutdown{std::chrono::milliseconds(500)};
    /// Happy Eyeballs (RFC 8305 §5): how long a connect attempt runs alone before the next
    /// address is tried beside it (at least 10 ms). A failed attempt starts the next at once.
    std::chrono::milliseconds connect_attempt_delay{std::chrono::milliseconds(250)};
};

/** How to reach and talk to the submission server. */
struct submit_options {
    std::string host;          ///< Server host name or IP literal (also SNI and cert name).
    std::uint16_t port = 587;  ///< 587 for starttls, 465 for implicit, 25 for relays.
    tls_mode tls = tls_mode::starttls;  ///< How the connection is encrypted.
    /// The EHLO/HELO argument. Empty: the address literal of the local end ("[192.0.2.1]").
    std::string client_name;

    std::optional<smtperr::asio::credentials> credentials;  ///< No AUTH when empty.
    /// Allow AUTH over an unencrypted connection (tls_mode::none). Off by default, and
    /// meant only for test servers on loopback.
    bool allow_plaintext_auth = false;
    /// Mechanisms in order of preference; the first one the server offers and that fits
    /// the credentials (password: PLAIN, LOGIN; token: XOAUTH2, OAUTHBEARER) is used.
    std::vector<sasl_mechanism> mechanisms{sasl_mechanism::xoauth2, sasl_mechanism::oauthbearer,
                                           sasl_mechanism::plain, sasl_mechanism::login};

    /// A PEM file of CA certificates. When set, these CAs (and only these) are trusted for
    /// this connection in place of the ssl::context's trust store; the context is not changed.
    /// Unused with tls_mode::none.
    std::string ca_file;
    /** SHA-256 fingerprint of the server's leaf certificate (DER), as 64 hex digits with or
        without ':' separators. When set it replaces CA and host-name verification: the
        connection is trusted if and only if the leaf matches (for self-hosted servers with
        self-signed certificates). With tls_mode::none it is an invalid_option, never ignored.
    */
    std::string pinned_sha256;

    smtperr::asio::timeouts timeouts;  ///< One per phase; each wait is bounded.

    /// Receives the redacted SMTP transcript at debug level ("C: …", "S: …") and transport
    /// notes. Null: no logging. The default logger is never used.
    std::shared_ptr<spdlog::logger> logger;

    /// Passed to the attempt: 0 for no limit of our own on RCPTs per transaction.
    std::size_t max_recipients_per_transaction = 0;
};

/** One message to submit. */
struct message {
    std::string from;                     ///< Reverse-path without brackets ("" for <>).
    std::vector<std::string> recipients;  ///< Forward-paths without brackets.
    /** The message (header and body) as bytes. Any line ending (CRLF, LF or CR) becomes
        CRLF on the wire and lines starting with '.' are dot-stuffed (RFC 5321 §4.5.2), so
        no content can end the data early.
    */
    std::string body;
};

}  // namespace smtperr::asio

#endif  // SMTPERR_ASIO_OPTIONS_HPP
