#include <smtperr/error/errc.hpp>

// Tests of the smtperr.transport category: messages, the condition and class each value
// compares equal to, and values no enumerator has.
#include <smtperr/error/condition.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <climits>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <system_error>

namespace {

using smtperr::condition;
using smtperr::errc;
using smtperr::failure_class;

struct errc_row {
    errc value;
    int number;
    std::string_view message;
    std::optional<condition> cond;  // empty: not pinned down (see below)
    failure_class cls;
};

constexpr condition pv = condition::protocol_violation;
constexpr failure_class transient = failure_class::transient;
constexpr failure_class permanent = failure_class::permanent;

// Every enumerator of errc, with its documented value.
const errc_row errc_rows[] = {
    {errc::line_too_long, 1, "reply line too long", pv, transient},
    {errc::too_many_lines, 2, "too many lines in one reply", pv, transient},
    {errc::reply_too_large, 3, "reply too large", pv, transient},
    {errc::invalid_code, 4, "reply line does not start with a three-digit code", pv, transient},
    {errc::code_out_of_range, 5, "reply code outside 200-599", pv, transient},
    {errc::inconsistent_code, 6, "multi-line reply with different codes", pv, transient},
    {errc::missing_separator, 7, "reply code not followed by space, hyphen or line end", pv,
     transient},
    {errc::nul_byte, 8, "NUL byte in reply", pv, transient},
    {errc::bare_lf, 9, "reply line ends in LF without CR", pv, transient},
    {errc::truncated_reply, 10, "input ended inside a reply", pv, transient},
    {errc::trailing_data, 11, "data after the final line of the reply", pv, transient},
    {errc::connection_failed, 100, "could not connect to the server", condition::connection_failed,
     transient},
    {errc::connection_lost, 101, "connection to the server lost", condition::connection_lost,
     transient},
    {errc::timed_out, 102, "the server did not answer in time", condition::timed_out, transient},
    {errc::tls_failed, 103, "TLS failed", condition::tls_failed, transient},
    {errc::certificate_untrusted, 104, "server certificate not trusted",
     condition::certificate_untrusted, permanent},
    {errc::starttls_unavailable, 105, "server does not offer STARTTLS",
     condition::starttls_unavailable, permanent},
    {errc::protocol_violation, 106, "server violated the SMTP protocol", pv, transient},
    {errc::host_not_found, 107, "the server's host name was not found",
     condition::connection_failed, transient},
    {errc::sasl_invalid_base64, 200, "SASL challenge is not valid base64", pv, transient},
    {errc::sasl_invalid_json, 201, "OAuth challenge is not a valid JSON object", pv, transient},
    // Caller input, not a server failure: no condition is asserted for it.
    {errc::invalid_outbox_state, 300, "saved outbox state is invalid", std::nullopt, permanent},
    {errc::invalid_address, 301,
     "address contains CR, LF, NUL or angle brackets, is not valid UTF-8, or is too long",
     std::nullopt, permanent},
    {errc::no_recipients, 302, "message has no recipients", std::nullopt, permanent},
    {errc::invalid_option, 303,
     "invalid submission option (host, client name, credentials, CA file or fingerprint)",
     std::nullopt, permanent},
    {errc::duplicate_id, 304, "a message with this id is already in the outbox", std::nullopt,
     permanent},
    {errc::invalid_utf8, 305, "message id or account name is not valid UTF-8", std::nullopt,
     permanent},
};

constexpr std::string_view unknown_message = "unknown smtperr.transport error";

std::string str(std::string_view s) {
    return std::string(s);
}

}  // namespace

TEST_SUITE("smtperr/error/errc.hpp") {
    TEST_CASE("the category is named smtperr.transport") {
        CHECK(str(smtperr::transport_category().name()) == "smtperr.transport");
        CHECK(&smtperr::transport_category() == &smtperr::transport_category());
    }

    TEST_CASE("an errc converts to an error code of the transport category") {
        const std::error_code ec = errc::nul_byte;
        CHECK(ec.category() == smtperr::transport_category());
        CHECK(ec.value() == 8);
        CHECK(ec == errc::nul_byte);
        CHECK(ec != errc::bare_lf);
        CHECK(static_cast<bool>(ec));
        CHECK(smtperr::make_error_code(errc::timed_out) == std::error_code(102, ec.category()));
    }

    TEST_CASE("every value has its exact message") {
        for (const auto& row : errc_rows) {
            INFO("errc " << row.number);
            CHECK(static_cast<int>(row.value) == row.number);
            const std::error_code ec = row.value;
            CHECK(ec.message() == str(row.message));
        }
    }

    TEST_CASE("parse errors equal protocol_violation and transport errors their own condition") {
        for (const auto& row : errc_rows) {
            INFO("errc " << row.number << " " << str(row.message));
            const std::error_code ec = row.value;
            if (!row.cond) {
                // Caller errors compare equal to no condition at all, not even `none`.
                for (int c = 0; c < smtperr::condition_count; ++c) {
                    CHECK(ec != static_cast<condition>(c));
                }
                CHECK(ec.default_error_condition().category() == smtperr::transport_category());
                continue;
            }
            CHECK(ec == *row.cond);
            CHECK(ec.default_error_condition() == smtperr::make_error_condition(*row.cond));
            for (int c = 0; c < smtperr::condition_count; ++c) {
                const auto other = static_cast<condition>(c);
                if (other != *row.cond) {
                    INFO("condition " << str(smtperr::to_string(other)));
                    CHECK(ec != other);
                }
            }
        }
    }

    TEST_CASE("every value equals exactly one failure class") {
        for (const auto& row : errc_rows) {
            INFO("errc " << row.number);
            const std::error_code ec = row.value;
            const bool is_transient = ec == failure_class::transient;
            const bool is_permanent = ec == failure_class::permanent;
            CHECK(is_transient != is_permanent);
            CHECK(ec == row.cls);
        }
    }

    TEST_CASE("values no enumerator has give the fallback text and equal nothing") {
        for (int v = -5; v <= 1000; ++v) {
            const bool known = std::any_of(std::begin(errc_rows), std::end(errc_rows),
                                           [v](const errc_row& r) { return r.number == v; });
            if (known) {
                continue;
            }
            INFO("value " << v);
            const std::error_code ec(v, smtperr::transport_category());
            CHECK(ec.message() == str(unknown_message));
        }
        for (const int v : {INT_MIN, -1, 0, 12, 99, 108, 199, 202, 306, 1000, INT_MAX}) {
            INFO("value " << v);
            const std::error_code ec(v, smtperr::transport_category());
            std::string message;
            CHECK_NOTHROW(message = ec.message());
            CHECK(message == str(unknown_message));
            for (int c = 0; c < smtperr::condition_count; ++c) {
                CHECK(ec != static_cast<condition>(c));
            }
            CHECK(ec != failure_class::transient);
            CHECK(ec != failure_class::permanent);
        }
    }

    TEST_CASE("other categories' codes are not transport errors") {
        const std::error_code timed_out = std::make_error_code(std::errc::timed_out);
        CHECK(timed_out != errc::timed_out);
        CHECK(timed_out != condition::timed_out);
        CHECK(timed_out != failure_class::transient);
    }
}
