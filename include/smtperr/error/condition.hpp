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
    authentication_required,
    authentication_failed,
    authentication_temporary_failure,
    authentication_unavailable,
    auth_mechanism_rejected,
    app_password_required,
    web_login_required,
    oauth_token_invalid,
    basic_auth_disabled,
    password_expired,
    account_restricted,
    encryption_required,
    tls_unavailable,
    // Sender and sending limits
    sender_rejected,
    sending_quota_exceeded,
    rate_limited,
    greylisted,
    client_blocked,
    relay_denied,
    spam_rejected,
    domain_policy_rejected,
    // Recipient
    recipient_unknown,
    recipient_address_invalid,
    recipient_domain_invalid,
    recipient_mailbox_full,
    recipient_mailbox_unavailable,
    recipient_not_local,
    too_many_recipients,
    international_address_unsupported,
    // Message
    message_too_large,
    message_content_rejected,
    message_loop,
    transaction_rejected,
    // Server
    service_unavailable,
    server_error,
    server_storage_full,
    no_mail_service,
    // Protocol
    syntax_error,
    bad_sequence,
    not_implemented,
    // Transport
    connection_failed,
    connection_lost,
    timed_out,
    tls_failed,
    certificate_untrusted,
    starttls_unavailable,
    protocol_violation,
    // Fallbacks
    transient_failure,
    permanent_failure,
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
