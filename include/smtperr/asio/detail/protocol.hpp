// smtperr — SMTP error mapping for mail clients.
// Distributed under the Boost Software License, Version 1.0.

#ifndef SMTPERR_ASIO_DETAIL_PROTOCOL_HPP
#define SMTPERR_ASIO_DETAIL_PROTOCOL_HPP

/// @file
/// The transport's sans-I/O parts, compiled in src/asio/: capabilities, commands, message
/// encoding, caller-input checks and the redacted transcript. No stability promise.

#include <smtperr/asio/options.hpp>
#include <smtperr/config.hpp>
#include <smtperr/reply/reply.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace smtperr::asio::detail {

/// What an EHLO reply announced (RFC 5321 §4.1.1.1; keywords are case-insensitive).
struct capabilities {
    bool esmtp = false;  ///< EHLO was answered 250 (false after a HELO fallback).
    bool starttls = false;
    bool pipelining = false;
    bool eightbitmime = false;
    bool smtputf8 = false;
    bool enhanced_status_codes = false;
    /// SIZE was announced; `size_limit` 0 means "announced without a limit".
    bool size = false;
    std::uint64_t size_limit = 0;
    std::vector<std::string> auth;  ///< Mechanism names, upper case.

    /// True when `mechanism` (upper case) is among the AUTH mechanisms.
    SMTPERR_DECL bool offers(std::string_view mechanism) const noexcept;
};

/// Parses a 250 reply to EHLO. Lines it does not understand are ignored.
SMTPERR_DECL capabilities parse_ehlo(const reply_view& r);

/// A decimal number of at most 20 digits that fits 64 bits; nothing else (RFC 1870 §4).
SMTPERR_DECL std::optional<std::uint64_t> parse_decimal(std::string_view digits) noexcept;

/** The DATA payload as it goes on the wire: every CRLF, bare CR and bare LF becomes CRLF,
    a '.' starting a line is doubled, a final line end is added when missing, and the
    terminating ".\r\n" is appended (RFC 5321 §4.5.2). No input produces an early end.
*/
SMTPERR_DECL std::string encode_body(std::string_view body);

/// The size SIZE= declares for a payload made by encode_body(): its octets without the
/// terminating ".\r\n" and without the dots doubled at line starts (RFC 1870 §3).
SMTPERR_DECL std::uint64_t declared_size(std::string_view wire) noexcept;

/// The EHLO argument of a client without a name: its local address as an address literal
/// (RFC 5321 §4.1.3), without an IPv6 zone ("%eth0"), which a literal cannot carry.
SMTPERR_DECL std::string address_literal(std::string_view address, bool v6);

/// Checks caller input before anything is sent: addresses (with RFC 5321's limits: a local
/// part of at most 64 octets, ASCII labels of at most 63), recipients and options.
SMTPERR_DECL std::error_code validate(const submit_options& o, const message& m);

/// "PLAIN", "LOGIN", "XOAUTH2", "OAUTHBEARER".
SMTPERR_DECL std::string_view mechanism_name(sasl_mechanism m) noexcept;

/// The first mechanism in the caller's order that the server offers and the credentials fit.
SMTPERR_DECL std::optional<sasl_mechanism> choose_mechanism(const submit_options& o,
                                                            const capabilities& caps);

/// The SASL client response (not yet base64-encoded) for PLAIN, XOAUTH2 and OAUTHBEARER.
SMTPERR_DECL std::string sasl_response(sasl_mechanism m, const credentials& c);

/// True when the text of a 334 challenge is base64 or empty (RFC 4954 §4: `"334" SP
/// [base64]`); white space after it is tolerated.
SMTPERR_DECL bool challenge_decodes(std::string_view text);

/// True when the sender or a recipient has a non-ASCII octet: the message needs SMTPUTF8
/// (RFC 6531).
SMTPERR_DECL bool needs_smtputf8(const message& m) noexcept;

/// RFC 3492 Punycode of one label's code points; empty when a delta overflows 32 bits.
SMTPERR_DECL std::optional<std::string> punycode_encode(std::u32string_view code_points);

/** The ASCII form of a UTF-8 domain, for a server without SMTPUTF8 (RFC 5890 A-labels).

    ASCII labels stay as they are. A label with other characters becomes "xn--" and the
    Punycode of the label lower-cased, when each character is an ASCII letter, digit or
    hyphen or a Latin-1 letter (U+00C0 to U+00FF but U+00D7 and U+00F7): for those, UTS #46
    mapping is that lower-casing alone, and they are in NFC already. Any other character
    (other scripts, combining marks), invalid UTF-8, an empty label, a hyphen at either end
    or in the third and fourth place (RFC 5891 §4.2.3.1), or an A-label over 63 octets gives
    an empty optional: those need the Unicode tables of UTS #46 to be converted correctly.
*/
SMTPERR_DECL std::optional<std::string> ascii_domain(std::string_view domain);

/// `address` as it goes into MAIL or RCPT for a server with `caps`: unchanged when it is
/// ASCII or the server offers SMTPUTF8, else with its domain as ascii_domain() writes it.
/// Empty when neither works (a non-ASCII local part needs SMTPUTF8, RFC 6531), or when the
/// A-labels make the path longer than 256 octets with its brackets (RFC 5321 §4.5.3.1.3).
SMTPERR_DECL std::optional<std::string> envelope_address(std::string_view address,
                                                         const capabilities& caps);

/// True when envelope_address() has a form for the sender and at least one recipient (a
/// transaction is worth starting; the recipients without one are refused one by one).
SMTPERR_DECL bool envelope_sendable(const message& m, const capabilities& caps);

/// "MAIL FROM:<a>[ SIZE=n][ BODY=8BITMIME][ SMTPUTF8]" (no CRLF) for what the server offers.
/// Precondition: envelope_address(m.from, caps) has a value.
SMTPERR_DECL std::string mail_command(const message& m, const capabilities& caps,
                                      std::uint64_t size);

/** The strings a secret can appear as in text: itself, its URL encoding (either hex case)
    and the three alignments of its base64 encoding, standard and URL-safe (the part of each
    that does not depend on the surrounding bytes). Used to mask and, in tests, to search logs.
*/
SMTPERR_DECL std::vector<std::string> secret_forms(std::string_view secret);

/** The SMTP transcript, at debug level through the caller's logger (or nowhere).

    Client lines marked sensitive are redacted: "AUTH PLAIN <redacted>" keeps the verb and
    mechanism, an AUTH continuation line becomes "<redacted>". Server lines are escaped
    (control octets and every octet from 0x80 on as \\xNN, so C1 controls, bidi overrides and
    invalid UTF-8 never reach the log raw) and have every known form of a secret masked.
*/
class SMTPERR_DECL transcript {
  public:
    transcript(std::shared_ptr<spdlog::logger> logger, const std::optional<credentials>& c);

    /// A command line (without CRLF) the client sends.
    void client(std::string_view line, bool sensitive) const;
    /// A reply the client received.
    void server(const reply_view& r) const;
    /// A transport note ("connected to …", "TLS established …").
    void note(std::string_view text) const;

    /** `text` with every known form of a secret, however short, replaced by "<redacted>"
        (one marker for forms that overlap or touch); URL encodings in any letter case. When
        the text as sanitize_server_text() shows it holds a form (split in the text by
        characters the sanitizer drops, or across lines), the result is that shown text,
        masked.
    */
    std::string redact(std::string_view text) const;
    /** The reply with every known form of a secret in its text replaced, so a server that
        echoes the credentials back cannot put them into a report, an event or a UI string;
        `line_count` counts the lines of the text returned.
    */
    smtperr::reply redact(smtperr::reply r) const;

    bool enabled() const noexcept { return logger_ != nullptr; }

  private:
    std::string mask_forms(std::string_view text) const;
    /// redact(), then escape().
    std::string mask(std::string_view text) const;
    /// Control octets, octets from 0x80 on and the backslash as "\xNN".
    static std::string escape(std::string_view text);

    std::shared_ptr<spdlog::logger> logger_;
    std::vector<std::string> secrets_;  ///< Matched as they are.
    std::vector<std::string> escaped_;  ///< URL-encoded forms, upper-cased: matched in any case.
};

}  // namespace smtperr::asio::detail

#endif  // SMTPERR_ASIO_DETAIL_PROTOCOL_HPP
