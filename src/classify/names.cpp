// smtperr — SMTP error mapping for mail clients.
// Distributed under the Boost Software License, Version 1.0.
//
// DESIGN.md's names for phases, actions and scopes, indexed by enumerator value.

#include <smtperr/classify/action.hpp>
#include <smtperr/classify/phase.hpp>

#include <iterator>

namespace smtperr {

namespace {

constexpr std::string_view phase_names[] = {
    "greeting", "ehlo", "helo",     "starttls", "auth", "mail",
    "rcpt",     "data", "data_end", "rset",     "quit",
};
static_assert(std::size(phase_names) == phase_count);

constexpr std::string_view action_names[] = {
    "none",
    "retry_later",
    "reauthenticate",
    "refresh_token",
    "create_app_password",
    "sign_in_via_web",
    "check_account_settings",
    "check_sender_address",
    "check_recipients",
    "split_recipients",
    "reduce_message_size",
    "edit_message",
    "contact_recipient",
    "contact_provider",
    "review_certificate",
    "report_problem",
};
static_assert(std::size(action_names) == action_count);

constexpr std::string_view scope_names[] = {"connection", "account", "message", "recipient"};
static_assert(std::size(scope_names) == scope_count);

template <class Enum, std::size_t N>
std::string_view name_of(const std::string_view (&names)[N], Enum e) noexcept {
    const auto i = static_cast<std::size_t>(e);
    return i < N ? names[i] : std::string_view{};
}

template <class Enum, std::size_t N>
std::optional<Enum> from_name(const std::string_view (&names)[N], std::string_view s) noexcept {
    for (std::size_t i = 0; i < N; ++i) {
        if (names[i] == s) {
            return static_cast<Enum>(i);
        }
    }
    return std::nullopt;
}

}  // namespace

std::string_view to_string(phase p) noexcept {
    return name_of(phase_names, p);
}
std::optional<phase> phase_from_string(std::string_view s) noexcept {
    return from_name<phase>(phase_names, s);
}
std::string_view to_string(action a) noexcept {
    return name_of(action_names, a);
}
std::optional<action> action_from_string(std::string_view s) noexcept {
    return from_name<action>(action_names, s);
}
std::string_view to_string(scope s) noexcept {
    return name_of(scope_names, s);
}
std::optional<scope> scope_from_string(std::string_view s) noexcept {
    return from_name<scope>(scope_names, s);
}

}  // namespace smtperr
