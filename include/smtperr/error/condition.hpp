// smtperr — SMTP error mapping for mail clients.
// Distributed under the Boost Software License, Version 1.0.

#ifndef SMTPERR_ERROR_CONDITION_HPP
#define SMTPERR_ERROR_CONDITION_HPP

#include <smtperr/config.hpp>
#include <smtperr/reply/enhanced_status.hpp>

#include <optional>
#include <string_view>
#include <system_error>
#include <type_traits>

namespace smtperr {

/** What went wrong, independent of how the server said it. The names are DESIGN.md's.

    `ec == condition::recipient_unknown` works for error codes of the `smtperr.reply`,
    `smtperr.status` and `smtperr.transport` categories. For reply and status codes this
    is the context-free reading of the code alone (550 → recipient_mailbox_unavailable,
    5.1.1 → recipient_unknown); the classifier, which also knows the phase, the provider
    and the text, decides the condition of a diagnosis.
*/
enum class condition : int {
    none = 0,  ///< A positive reply.
    // Account and sign-in
    authentication_required,           ///< The server wants AUTH before MAIL, and none was done.
    authentication_failed,             ///< User name, password or token refused (535).
    authentication_temporary_failure,  ///< AUTH could not be checked just now (454).
    authentication_unavailable,        ///< SMTP AUTH is turned off for the account or the server.
    auth_mechanism_rejected,           ///< The SASL mechanism is not accepted (504).
    app_password_required,  ///< The provider wants an app password, not the account's own.
    web_login_required,     ///< The provider wants a sign-in in the web browser first.
    oauth_token_invalid,    ///< The OAuth token is expired or refused: refresh it.
    basic_auth_disabled,    ///< Passwords are turned off for SMTP: sign in with OAuth.
    password_expired,       ///< The password must be changed at the provider.
    account_restricted,     ///< The account is locked, suspended or disabled.
    encryption_required,    ///< The server wants TLS before AUTH or MAIL.
    tls_unavailable,        ///< STARTTLS refused for now (454 to STARTTLS).
    // Sender and sending limits
    sender_rejected,         ///< The sender address is refused.
    sending_quota_exceeded,  ///< The account's daily or hourly sending limit is used up.
    rate_limited,            ///< Too many messages or connections just now.
    greylisted,              ///< Deferred once on purpose: the retry will pass.
    client_blocked,          ///< This client (its IP address, its name) is refused.
    relay_denied,            ///< The server will not relay: not signed in, or the wrong server.
    spam_rejected,           ///< The message was taken for spam.
    domain_policy_rejected,  ///< Refused by the sender domain's policy (SPF, DKIM, DMARC).
    // Recipient
    recipient_unknown,              ///< No such mailbox.
    recipient_address_invalid,      ///< The recipient address is not a valid address.
    recipient_domain_invalid,       ///< The recipient's domain does not exist or takes no mail.
    recipient_mailbox_full,         ///< The recipient's mailbox is full.
    recipient_mailbox_unavailable,  ///< The mailbox exists but takes no mail now (or disabled).
    recipient_not_local,            ///< The recipient has moved (551, perhaps with a new address).
    too_many_recipients,            ///< More recipients than the server takes in one transaction.
    international_address_unsupported,  ///< A non-ASCII address, and the server lacks SMTPUTF8.
    // Message
    message_too_large,         ///< The message exceeds the server's size limit.
    message_content_rejected,  ///< The content was refused (policy, virus, malformed).
    message_loop,              ///< Too many hops: a mail loop.
    transaction_rejected,      ///< The transaction was refused as a whole (554).
    // Server
    service_unavailable,  ///< The server is shutting down or overloaded (421).
    server_error,         ///< The server failed to process the command (451).
    server_storage_full,  ///< The server is out of storage (452).
    no_mail_service,      ///< No SMTP service here (554 at the greeting): wrong server or port.
    // Protocol
    syntax_error,     ///< The server did not understand a command (500, 501).
    bad_sequence,     ///< A command out of order (503).
    not_implemented,  ///< A command or parameter the server lacks (502, 504).
    // Transport
    connection_failed,      ///< No connection could be made.
    connection_lost,        ///< The connection broke mid-session (RFC 5321 treats it like 451).
    timed_out,              ///< The server did not answer in time.
    tls_failed,             ///< The TLS handshake failed.
    certificate_untrusted,  ///< The server's certificate is not trusted for its name.
    starttls_unavailable,   ///< TLS is required but the server offers no STARTTLS.
    protocol_violation,     ///< The server broke the protocol (an unusable reply).
    // Fallbacks
    transient_failure,  ///< Some other 4yz: nothing more specific is known.
    permanent_failure,  ///< Some other 5yz: nothing more specific is known.
};

/// Number of enumerators of @ref condition (`none` included).
inline constexpr int condition_count = static_cast<int>(condition::permanent_failure) + 1;

/// The DESIGN.md name of a condition ("recipient_unknown"); "" for values out of range.
SMTPERR_DECL std::string_view to_string(condition c) noexcept;

/// The condition with that name, if any.
SMTPERR_DECL std::optional<condition> condition_from_string(std::string_view name) noexcept;

/// The `smtperr.condition` category.
SMTPERR_DECL const std::error_category& condition_category() noexcept;

/// Makes an error condition of the `smtperr.condition` category.
inline std::error_condition make_error_condition(condition c) noexcept {
    return {static_cast<int>(c), condition_category()};
}

/** The two classes every negative reply belongs to, exactly one each: transient (4xx) or
    permanent (5xx). The basic code decides when the enhanced code disagrees.
*/
enum class failure_class : int {
    transient = 1,  ///< 4xx: the same request may succeed later.
    permanent = 2,  ///< 5xx: it will not succeed unchanged.
};

/// The `smtperr.class` category.
SMTPERR_DECL const std::error_category& failure_class_category() noexcept;

/// Makes an error condition of the `smtperr.class` category.
inline std::error_condition make_error_condition(failure_class c) noexcept {
    return {static_cast<int>(c), failure_class_category()};
}

/** The context-free condition of a basic reply code (what `ec == condition::…` uses for the
    `smtperr.reply` category): the single most likely meaning of the code alone, falling
    back to `transient_failure`/`permanent_failure` by its first digit, and `none` for
    positive codes.
*/
SMTPERR_DECL condition default_condition(int reply_code) noexcept;

/** The context-free condition of an enhanced status code (`X.1.1` → recipient_unknown);
    unknown details fall back to the subject and then to the class.
*/
SMTPERR_DECL condition default_condition(enhanced_status s) noexcept;

}  // namespace smtperr

template <>
struct std::is_error_condition_enum<smtperr::condition> : std::true_type {};
template <>
struct std::is_error_condition_enum<smtperr::failure_class> : std::true_type {};

#endif  // SMTPERR_ERROR_CONDITION_HPP
