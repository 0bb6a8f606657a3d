// smtperr — SMTP error mapping for mail clients.
// Distributed under the Boost Software License, Version 1.0.

#ifndef SMTPERR_SRC_CLASSIFY_RULES_HPP
#define SMTPERR_SRC_CLASSIFY_RULES_HPP

#include <smtperr/classify/action.hpp>
#include <smtperr/classify/phase.hpp>
#include <smtperr/error/condition.hpp>
#include <smtperr/error/errc.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace smtperr::detail {

/// Phase masks for rules.
enum : std::uint16_t {
    any_phase = 0,
    p_greeting = 1u << static_cast<unsigned>(phase::greeting),
    p_ehlo = 1u << static_cast<unsigned>(phase::ehlo),
    p_helo = 1u << static_cast<unsigned>(phase::helo),
    p_starttls = 1u << static_cast<unsigned>(phase::starttls),
    p_auth = 1u << static_cast<unsigned>(phase::auth),
    p_mail = 1u << static_cast<unsigned>(phase::mail),
    p_rcpt = 1u << static_cast<unsigned>(phase::rcpt),
    p_data = 1u << static_cast<unsigned>(phase::data),
    p_data_end = 1u << static_cast<unsigned>(phase::data_end),
    p_rset = 1u << static_cast<unsigned>(phase::rset),
    p_quit = 1u << static_cast<unsigned>(phase::quit),
    p_hello = p_ehlo | p_helo,
    p_envelope = p_mail | p_rcpt,
    p_message = p_data | p_data_end,
    p_recipient = p_rcpt | p_data | p_data_end,
    p_not_sender = 0x7ff & ~p_mail & ~p_auth,
    /// No address exists yet, or any more: before MAIL and after the transaction.
    p_no_address = p_greeting | p_hello | p_starttls | p_auth | p_rset | p_quit,
};

/// The SASL mechanisms a rule is for: any; XOAUTH2/OAUTHBEARER only; or all but those
/// (a provider's "wrong password" or "app password needed", which a token never gets).
enum class mechanism : std::uint8_t { any, oauth, password };

/// Sentinel kinds in the rule table.
enum class rule_kind : std::uint8_t {
    match,           ///< An ordinary rule.
    status_default,  ///< Here the enhanced code's context-free condition is consulted.
};

/** One row of a classification table. Every field narrows; 0/""/-1 means "any".

    `code`: 0 any negative code; 4 or 5 any code of that class; else the exact code.
    `fragments`: '|'-separated, matched case-insensitively; one of them must occur.
*/
struct rule {
    std::string_view id;
    std::string_view provider;  ///< Provider id, or "" for every server.
    std::uint16_t phases;
    std::int16_t code;
    std::int16_t subject;
    std::int16_t detail;
    std::string_view fragments;
    smtperr::condition condition;
    smtperr::action action = smtperr::action::none;  ///< none: the condition's default.
    std::int8_t scope = -1;                          ///< -1: the condition's default.
    std::uint32_t retry_after = 0;                   ///< 0: the condition's default.
    std::string_view help_url = {};                  ///< The provider's page for it.
    std::string_view message_id = {};                ///< "": the condition's entry.
    mechanism mech = mechanism::any;
    rule_kind kind = rule_kind::match;
};

extern const rule rules[];  ///< In priority order: the first match wins.
extern const std::size_t rule_count;

/// A provider: how to recognize it and which of its pages a help link may be.
struct provider_info {
    std::string_view id;             ///< "gmail"
    std::string_view host_suffixes;  ///< '|'-separated host suffixes ("gmail.com|google.com")
    std::string_view signatures;     ///< '|'-separated reply fragments ("gsmtp")
    /// '|'-separated help pages: a host ("support.google.com"), exactly, or a host and the
    /// start of a path ("yandex.ru/support/"). Hosts, not domains: a provider's domain also
    /// serves its users' pages (sites.google.com, forms.office.com), and a link there would
    /// read as the provider's own.
    std::string_view help_hosts;
};

extern const provider_info providers[];
extern const std::size_t provider_count;

/// Defaults per condition, indexed by its value.
struct condition_defaults {
    smtperr::action transient_action;
    smtperr::action permanent_action;
    smtperr::scope scope;
    std::uint32_t retry_after;  ///< Seconds; 0 = no hint.
};
extern const condition_defaults defaults_by_condition[];

/// What classify() makes of a caller-input error (`errc` 300 on): nothing reached the
/// server, so no SMTP condition fits; each is a `permanent_failure` that points the user at
/// what to correct.
struct caller_error_rule {
    errc value;
    smtperr::action action;
    smtperr::scope scope;
    std::string_view message_id;
};
extern const caller_error_rule caller_error_rules[];
extern const std::size_t caller_error_rule_count;

}  // namespace smtperr::detail

#endif  // SMTPERR_SRC_CLASSIFY_RULES_HPP
