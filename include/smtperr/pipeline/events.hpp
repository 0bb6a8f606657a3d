// smtperr — SMTP error mapping for mail clients.
// Distributed under the Boost Software License, Version 1.0.

#ifndef SMTPERR_PIPELINE_EVENTS_HPP
#define SMTPERR_PIPELINE_EVENTS_HPP

#include <smtperr/classify/action.hpp>
#include <smtperr/config.hpp>
#include <smtperr/pipeline/diagnosis_record.hpp>
#include <smtperr/pipeline/send_report.hpp>

#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace smtperr {

/// How loud a system message is in the list view.
enum class severity : unsigned char {
    info,     ///< Nothing for the user to do (the outbox itself sends none).
    warning,  ///< The mail is not through, or only to some recipients: a retry or the user.
    error,    ///< The mail failed for good, for every recipient.
};

/// "info", "warning", "error".
SMTPERR_DECL std::string_view to_string(severity s) noexcept;

/// The one-line system message of a message in the list view, with everything to show it.
struct system_message_event {
    std::string message_id;                                   ///< The outbox id of the mail.
    smtperr::severity severity = smtperr::severity::warning;  ///< How to show it.
    std::string list_line;                                    ///< Localized, at most 90 characters.
    std::string detail;                                       ///< Localized paragraph.
    smtperr::action action = smtperr::action::none;           ///< What the UI should offer.
    std::string action_label;    ///< Localized button text, "" for none.
    std::string server_text;     ///< Sanitized server text.
    std::string help_url;        ///< One of the provider's own help pages, or "".
    diagnosis_record diagnosis;  ///< The diagnosis the message was rendered from.
};

/// Why the account's credentials are needed (DESIGN.md / issue #4).
enum class credentials_reason : unsigned char {
    authentication_failed,  ///< The server refused the password or token (535 and kin).
    required,               ///< The server wants AUTH and none was given.
    app_password_required,  ///< The account needs an app password instead of its own.
    web_login_required,     ///< The provider wants a sign-in in the web browser first.
    basic_auth_disabled,    ///< Passwords are turned off for SMTP: sign in with OAuth.
    password_expired,       ///< The password must be changed at the provider.
};

/// "authentication_failed", "required", …
SMTPERR_DECL std::string_view to_string(credentials_reason r) noexcept;

/// Ask the user for the account's password (at most one outstanding per account).
struct credentials_required_event {
    std::string account;  ///< The account whose messages wait for outbox::credentials_updated().
    credentials_reason reason = credentials_reason::authentication_failed;  ///< What to ask for.
    diagnosis_record diagnosis;  ///< The reply that made it necessary.
};

/// Refresh the account's OAuth token silently, then call outbox::token_refreshed().
struct token_refresh_required_event {
    std::string account;         ///< The account whose token to refresh.
    diagnosis_record diagnosis;  ///< The reply that refused the token.
};

/// A message will be tried again at `when`.
struct retry_scheduled_event {
    std::string message_id;                      ///< The outbox id of the mail.
    std::chrono::system_clock::time_point when;  ///< When take_due() hands it out again.
    unsigned attempt = 0;  ///< The number of the attempt that will run then (2 = first retry).
    diagnosis_record diagnosis;  ///< Why the last attempt did not get through.
};

/// One rejected recipient.
struct rejected_recipient {
    std::string address;         ///< As the caller gave it.
    diagnosis_record diagnosis;  ///< Why the server refused it.
    std::string forward_path;    ///< A 551's suggested address, or "".
};

/// Some recipients were rejected for good.
struct recipients_rejected_event {
    std::string message_id;                      ///< The outbox id of the mail.
    std::vector<rejected_recipient> recipients;  ///< Those refused in this attempt.
};

/// The final word on a message: it left the outbox.
struct report_event {
    std::string message_id;  ///< The outbox id of the mail.
    send_report report;      ///< Every attempt merged: each recipient's final state.
};

/// Everything the pipeline tells the UI.
using event =
    std::variant<system_message_event, credentials_required_event, token_refresh_required_event,
                 retry_scheduled_event, recipients_rejected_event, report_event>;

/// Receives events, always through the client's executor.
using event_sink = std::function<void(const event&)>;

/** Runs a function later on the client's thread (a UI loop's post, an Asio executor's
    `post`, a test queue). Events are always delivered through it, never inline. */
using executor = std::function<void(std::function<void()>)>;

}  // namespace smtperr

#endif  // SMTPERR_PIPELINE_EVENTS_HPP
