// smtperr — SMTP error mapping for mail clients.
// Distributed under the Boost Software License, Version 1.0.

#ifndef SMTPERR_ERROR_ERRC_HPP
#define SMTPERR_ERROR_ERRC_HPP

#include <smtperr/config.hpp>

#include <system_error>
#include <type_traits>

namespace smtperr {

/** The library's own failures: unusable server input and transport failures.

    Values belong to the `smtperr.transport` category. Parse and SASL errors compare equal
    to `condition::protocol_violation`, transport failures to the condition of the same name
    (`host_not_found` to `connection_failed`); caller-input errors (300 on) to no condition,
    only to `failure_class::permanent`.
*/
enum class errc : int {
    // Reply parser. These compare equal to condition::protocol_violation.
    line_too_long = 1,  ///< A line passed the line-length limit.
    too_many_lines,     ///< A reply passed the lines-per-reply limit.
    reply_too_large,    ///< A reply passed the bytes-per-reply limit.
    invalid_code,       ///< A line does not start with three digits.
    code_out_of_range,  ///< The first digit of the code is not 2–5.
    inconsistent_code,  ///< A line of a multi-line reply has another code.
    missing_separator,  ///< The code is followed by neither ' ', '-' nor a line end.
    nul_byte,           ///< A NUL octet in a reply line.
    bare_lf,            ///< A line ended in LF without CR (strict mode only).
    truncated_reply,    ///< The input ended inside a reply.
    trailing_data,      ///< Bytes after the final line of a reply (parse_reply only).

    // Transport. These compare equal to the condition of the same name.
    connection_failed = 100,  ///< No connection could be made to any address.
    connection_lost,          ///< The connection broke in the middle of the session.
    timed_out,                ///< The server did not answer in time.
    tls_failed,               ///< The TLS handshake or TLS layer failed.
    certificate_untrusted,    ///< The server's certificate failed verification.
    starttls_unavailable,     ///< TLS was required but the server does not offer STARTTLS.
    protocol_violation,       ///< The server broke the protocol (for example, extra bytes).
    /// The server's host name does not resolve (DNS: no such name, or no address for it).
    /// Compares equal to condition::connection_failed.
    host_not_found,

    // SASL challenges. These compare equal to condition::protocol_violation.
    sasl_invalid_base64 = 200,  ///< A 334 challenge that is not valid base64.
    sasl_invalid_json,          ///< A decoded OAuth challenge that is not a JSON object.

    // Caller input.
    invalid_outbox_state = 300,  ///< Saved outbox state that cannot be restored.
    invalid_address,             ///< An address with CR, LF, NUL or '<>', not UTF-8, or too long.
    no_recipients,               ///< A message without recipients.
    invalid_option,              ///< A submission option that cannot be used as given.
    duplicate_id,                ///< A message id already in the outbox.
    invalid_utf8,                ///< A message id or account name that is not valid UTF-8.
};

/// The `smtperr.transport` category.
SMTPERR_DECL const std::error_category& transport_category() noexcept;

/// Makes an error code of the `smtperr.transport` category.
inline std::error_code make_error_code(errc e) noexcept {
    return {static_cast<int>(e), transport_category()};
}

}  // namespace smtperr

template <>
struct std::is_error_code_enum<smtperr::errc> : std::true_type {};

#endif  // SMTPERR_ERROR_ERRC_HPP
