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
    none,                    ///< Nothing to do: the reply was positive.
    retry_later,             ///< Wait; the outbox retries by itself.
    reauthenticate,          ///< Ask the user for the password again.
    refresh_token,           ///< Refresh the OAuth token silently, then try again.
    create_app_password,     ///< Have the user create an app password (with the provider's link).
    sign_in_via_web,         ///< Have the user sign in once in the web browser.
    check_account_settings,  ///< Server, port, encryption or sign-in method look wrong.
    check_sender_address,    ///< The From address is not one the account may use.
    check_recipients,        ///< An address is wrong: let the user correct it.
    split_recipients,        ///< Send to the rest in a further transaction (the pipeline does).
    reduce_message_size,     ///< Make the message smaller (attachments).
    edit_message,            ///< Change the content that was refused.
    contact_recipient,       ///< Reach the recipient another way.
    contact_provider,        ///< Only the provider can help (a block, a locked account).
    review_certificate,      ///< Show the certificate problem; never accept it silently.
    report_problem,          ///< Something the user cannot fix: offer to report it.
};

/// Number of enumerators of @ref action.
inline constexpr int action_count = static_cast<int>(action::report_problem) + 1;

/// What a failure is about (DESIGN.md). A recipient-scoped failure fails that recipient only.
enum class scope : unsigned char {
    connection,  ///< The connection or server: every message on it is affected.
    account,     ///< The account: every message of it waits for the user.
    message,     ///< This message, for every recipient.
    recipient,   ///< One recipient; the message goes to the others.
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
