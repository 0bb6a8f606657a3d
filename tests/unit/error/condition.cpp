#include <smtperr/error/condition.hpp>

// Tests of the condition and failure_class enums: DESIGN.md's names, the categories'
// messages, and the context-free default conditions of basic and enhanced codes.
#include <smtperr/reply/enhanced_status.hpp>

#include <doctest/doctest.h>

#include <climits>
#include <cstddef>
#include <ostream>
#include <string>
#include <string_view>
#include <system_error>

namespace {

using smtperr::condition;
using smtperr::failure_class;

// The contract: DESIGN.md's "Conditions" section, in its order, with `none` first.
constexpr std::string_view design_names[] = {
    "none",
    // Account and sign-in
    "authentication_required", "authentication_failed", "authentication_temporary_failure",
    "authentication_unavailable", "auth_mechanism_rejected", "app_password_required",
    "web_login_required", "oauth_token_invalid", "basic_auth_disabled", "password_expired",
    "account_restricted", "encryption_required", "tls_unavailable",
    // Sender and sending limits
    "sender_rejected", "sending_quota_exceeded", "rate_limited", "greylisted", "client_blocked",
    "relay_denied", "spam_rejected", "domain_policy_rejected",
    // Recipient
    "recipient_unknown", "recipient_address_invalid", "recipient_domain_invalid",
    "recipient_mailbox_full", "recipient_mailbox_unavailable", "recipient_not_local",
    "too_many_recipients", "international_address_unsupported",
    // Message
    "message_too_large", "message_content_rejected", "message_loop", "transaction_rejected",
    // Server
    "service_unavailable", "server_error", "server_storage_full", "no_mail_service",
    // Protocol
    "syntax_error", "bad_sequence", "not_implemented",
    // Transport
    "connection_failed", "connection_lost", "timed_out", "tls_failed", "certificate_untrusted",
    "starttls_unavailable", "protocol_violation",
    // Fallbacks
    "transient_failure", "permanent_failure"};

constexpr std::string_view unknown_condition = "unknown smtperr condition";

std::string str(std::string_view s) {
    return std::string(s);
}

}  // namespace

TEST_SUITE("smtperr/error/condition.hpp") {
    TEST_CASE("the conditions are exactly DESIGN.md's, in its order") {
        REQUIRE(static_cast<std::size_t>(smtperr::condition_count) == std::size(design_names));
        for (int v = 0; v < smtperr::condition_count; ++v) {
            INFO("value " << v);
            CHECK(str(smtperr::to_string(static_cast<condition>(v))) ==
                  str(design_names[static_cast<std::size_t>(v)]));
        }
        CHECK(smtperr::to_string(condition::none) == "none");
        CHECK(smtperr::to_string(condition::recipient_unknown) == "recipient_unknown");
        CHECK(smtperr::to_string(condition::permanent_failure) == "permanent_failure");
    }

    TEST_CASE("to_string() and condition_from_string() round trip every value") {
        for (int v = 0; v < smtperr::condition_count; ++v) {
            const auto c = static_cast<condition>(v);
            INFO("value " << v);
            const auto back = smtperr::condition_from_string(smtperr::to_string(c));
            REQUIRE(back.has_value());
            CHECK(*back == c);
        }
    }

    TEST_CASE("unknown names and values give nothing") {
        for (const std::string_view name :
             {"", "Recipient_Unknown", "recipient_unknown ", " recipient_unknown", "recipient",
              "unknown", "transient", "recipient_unknownx"}) {
            INFO("name \"" << str(name) << "\"");
            CHECK(!smtperr::condition_from_string(name).has_value());
        }
        for (const int v : {INT_MIN, -1, smtperr::condition_count, 1000, INT_MAX}) {
            INFO("value " << v);
            CHECK(smtperr::to_string(static_cast<condition>(v)).empty());
        }
    }

    TEST_CASE("the condition category has a message for every value and a fallback") {
        CHECK(str(smtperr::condition_category().name()) == "smtperr.condition");
        for (int v = 0; v < smtperr::condition_count; ++v) {
            INFO("value " << v);
            const std::string m = smtperr::condition_category().message(v);
            CHECK(!m.empty());
            CHECK(m != str(unknown_condition));
        }
        CHECK(smtperr::make_error_condition(condition::recipient_unknown).message() ==
              "recipient unknown");
        for (const int v : {INT_MIN, -1, smtperr::condition_count, 1000, INT_MAX}) {
            INFO("value " << v);
            std::string m;
            CHECK_NOTHROW(m = smtperr::condition_category().message(v));
            CHECK(m == str(unknown_condition));
        }
    }

    TEST_CASE("a condition converts to an error condition of its category") {
        const std::error_condition c = condition::timed_out;
        CHECK(c.category() == smtperr::condition_category());
        CHECK(c.value() == static_cast<int>(condition::timed_out));
        CHECK(c == condition::timed_out);
        CHECK(c != condition::connection_lost);
    }

    TEST_CASE("the failure class category names both classes") {
        CHECK(str(smtperr::failure_class_category().name()) == "smtperr.class");
        CHECK(smtperr::make_error_condition(failure_class::transient).message() ==
              "transient failure");
        CHECK(smtperr::make_error_condition(failure_class::permanent).message() ==
              "permanent failure");
        for (const int v : {INT_MIN, -1, 0, 3, 100, INT_MAX}) {
            INFO("value " << v);
            std::string m;
            CHECK_NOTHROW(m = smtperr::failure_class_category().message(v));
            CHECK(m == "unknown smtperr failure class");
        }
        const std::error_condition t = failure_class::transient;
        CHECK(t.category() == smtperr::failure_class_category());
        CHECK(t.value() == 1);
        CHECK(t != failure_class::permanent);
    }

    TEST_CASE("codes of other categories equal no condition and no class") {
        const std::error_code ec = std::make_error_code(std::errc::timed_out);
        for (int v = 0; v < smtperr::condition_count; ++v) {
            CHECK(ec != static_cast<condition>(v));
        }
        CHECK(ec != failure_class::transient);
        CHECK(ec != failure_class::permanent);
    }

    TEST_CASE("default_condition() of a basic code uses the table, then the first digit") {
        CHECK(smtperr::default_condition(550) == condition::recipient_mailbox_unavailable);
        CHECK(smtperr::default_condition(535) == condition::authentication_failed);
        CHECK(smtperr::default_condition(530) == condition::authentication_required);
        CHECK(smtperr::default_condition(421) == condition::service_unavailable);
        CHECK(smtperr::default_condition(452) == condition::server_storage_full);
        CHECK(smtperr::default_condition(503) == condition::bad_sequence);
        CHECK(smtperr::default_condition(466) == condition::transient_failure);
        CHECK(smtperr::default_condition(577) == condition::permanent_failure);
        CHECK(smtperr::default_condition(250) == condition::none);
        CHECK(smtperr::default_condition(299) == condition::none);
        CHECK(smtperr::default_condition(354) == condition::none);
        for (const int v : {INT_MIN, -450, 0, 45, 123, 600, 4500, INT_MAX}) {
            INFO("value " << v);
            CHECK(smtperr::default_condition(v) == condition::none);
        }
    }

    TEST_CASE("default_condition() of an enhanced code falls back to subject, then class") {
        using s = smtperr::enhanced_status;
        CHECK(smtperr::default_condition(s{5, 1, 1}) == condition::recipient_unknown);
        CHECK(smtperr::default_condition(s{4, 2, 2}) == condition::recipient_mailbox_full);
        CHECK(smtperr::default_condition(s{5, 2, 99}) == condition::recipient_mailbox_unavailable);
        CHECK(smtperr::default_condition(s{5, 9, 9}) == condition::permanent_failure);
        CHECK(smtperr::default_condition(s{4, 9, 9}) == condition::transient_failure);
        CHECK(smtperr::default_condition(s{2, 1, 1}) == condition::none);
        CHECK(smtperr::default_condition(s{3, 1, 1}) == condition::none);
        CHECK(smtperr::default_condition(s{0, 1, 1}) == condition::none);
    }
}
