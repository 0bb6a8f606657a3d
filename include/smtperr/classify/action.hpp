// smtperr — SMTP error mapping for mail clients.
// Distributed under the Boost Software License, Version 1.0.

#ifndef SMTPERR_CLASSIFY_ACTION_HPP
#define SMTPERR_CLASSIFY_ACTION_HPP

#include <smtperr/config.hpp>

#include <optional>
#include <string_view>

namespace smtperr {

/// What the UI should offer (DESIGN.md); `none` for a positive reply.
enum class action : unsigned char {
    none,
    retry_later,
    reauthenticate,
    refresh_token,
    create_app_password,
    sign_in_via_web,
    check_account_settings,
    check_sender_address,
    check_recipients,
    split_recipients,
    reduce_message_size,
    edit_message,
    contact_recipient,
    contact_provider,
    review_certificate,
    report_problem,
};

/// Number of enumerators of @ref action.
inline constexpr int action_count = static_cast<int>(action::report_problem) + 1;

/// What a failure is about (DESIGN.md). A recipient-scoped failure fails that recipient only.
enum class scope : unsigned char {
    connection,
    account,
    message,
    recipient,
};

/// Number of enumerators of @ref scope.
inline constexpr int scope_count = static_cast<int>(scope::recipient) + 1;

/// The DESIGN.md name ("check_recipients"); "" for values out of range.
SMTPERR_DECL std::string_view to_string(action a) noexcept;
/// The action with that name, if any.
SMTPERR_DECL std::optional<action> action_from_string(std::string_view name) noexcept;

/// The DESIGN.md name ("recipient"); "" for values out of range.
SMTPERR_DECL std::string_view to_string(scope s) noexcept;
/// The scope with that name, if any.
SMTPERR_DECL std::optional<scope> scope_from_string(std::string_view name) noexcept;

}  // namespace smtperr

#endif  // SMTPERR_CLASSIFY_ACTION_HPP
