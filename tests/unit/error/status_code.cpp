#include <smtperr/error/status_code.hpp>

// Tests of the smtperr.status category: messages from the registry, the context-free
// conditions with their fallbacks, and the class conditions.
#include <smtperr/error/condition.hpp>
#include <smtperr/reply/enhanced_status.hpp>

#include <doctest/doctest.h>

#include <climits>
#include <cstdint>
#include <fstream>
#include <ostream>
#include <string>
#include <string_view>
#include <system_error>

namespace {

using smtperr::condition;
using smtperr::enhanced_status;
using smtperr::failure_class;

std::error_code code(std::uint8_t cls, std::uint16_t subject, std::uint16_t detail) {
    return smtperr::make_error_code(enhanced_status{cls, subject, detail});
}

std::string str(std::string_view s) {
    return std::string(s);
}

}  // namespace

TEST_SUITE("smtperr/error/status_code.hpp") {
    TEST_CASE("the category is named smtperr.status") {
        CHECK(str(smtperr::status_category().name()) == "smtperr.status");
        CHECK(&smtperr::status_category() == &smtperr::status_category());
    }

    TEST_CASE("make_error_code() uses the packed value") {
        const std::error_code ec = code(5, 1, 1);
        CHECK(ec.category() == smtperr::status_category());
        CHECK(ec.value() == 5001001);
        CHECK(ec == std::error_code(5001001, smtperr::status_category()));
        CHECK(ec != code(5, 1, 2));
    }

    TEST_CASE("the message is the code and its registry sample text") {
        CHECK(code(5, 1, 1).message() == "5.1.1 Bad destination mailbox address");
        CHECK(code(4, 2, 2).message() == "4.2.2 Mailbox full");
        CHECK(code(2, 0, 0).message() == "2.0.0 Other undefined Status");
        CHECK(code(5, 7, 30).message() == "5.7.30 REQUIRETLS support required");
        // Fallbacks: the subject's meaning, then the class's.
        CHECK(code(5, 2, 99).message() == "5.2.99 Mailbox Status");
        CHECK(code(5, 9, 9).message() == "5.9.9 Permanent Failure");
        CHECK(code(4, 9, 9).message() == "4.9.9 Persistent Transient Failure");
    }

    TEST_CASE("every registry row gives its sample text as the message") {
        std::ifstream in(SMTPERR_SHARED_DIR "/enhanced-status.tsv");
        REQUIRE(in.good());
        std::string line;
        int rows = 0;
        while (std::getline(in, line)) {
            if (line.rfind("enumerated\tX.", 0) != 0) {
                continue;
            }
            const std::size_t code_end = line.find('\t', 11);
            const std::size_t text_end = line.find('\t', code_end + 1);
            const std::string code_text = line.substr(13, code_end - 13);  // "1.1"
            std::string sample = line.substr(code_end + 1, text_end - code_end - 1);
            if (code_text == "6.10") {
                sample = "Deprecated (duplicate of X.6.8)";
            }
            INFO("code " << code_text);
            const auto m = smtperr::parse_enhanced_status("5." + code_text);
            REQUIRE(m.has_value());
            CHECK(smtperr::make_error_code(m->status).message() == "5." + code_text + " " + sample);
            ++rows;
        }
        CHECK(rows == 81);
    }

    TEST_CASE("invalid values give a fixed message and never throw") {
        for (const int v : {INT_MIN, -5001001, -1, 0, 999999, 1000000, 3001001, 6000000, INT_MAX}) {
            INFO("value " << v);
            const std::error_code ec(v, smtperr::status_category());
            std::string message;
            CHECK_NOTHROW(message = ec.message());
            CHECK(message == "invalid enhanced status code");
            CHECK(ec != failure_class::transient);
            CHECK(ec != failure_class::permanent);
            // Not even none, which means a positive reply (found in a review).
            for (int c = 0; c < smtperr::condition_count; ++c) {
                CHECK(ec != static_cast<smtperr::condition>(c));
            }
        }
    }

    TEST_CASE("codes compare equal to their context-free condition") {
        CHECK(code(5, 1, 1) == condition::recipient_unknown);
        CHECK(code(5, 1, 1) != condition::recipient_mailbox_unavailable);
        CHECK(code(4, 2, 2) == condition::recipient_mailbox_full);
        CHECK(code(5, 2, 2) == condition::recipient_mailbox_full);
        CHECK(code(5, 7, 8) == condition::authentication_failed);
        CHECK(code(5, 5, 3) == condition::too_many_recipients);
        CHECK(code(2, 1, 5) == condition::none);
        CHECK(code(2, 7, 8) == condition::none);
    }

    TEST_CASE("X.3.2 is an outage when transient, a host that takes no mail when permanent") {
        // RFC 3463 names shutdown, load and maintenance; RFC 7504 answers "521 5.3.2".
        CHECK(code(4, 3, 2) == condition::service_unavailable);
        CHECK(code(4, 3, 2) != condition::no_mail_service);
        CHECK(code(5, 3, 2) == condition::no_mail_service);
        CHECK(smtperr::default_condition(smtperr::enhanced_status{4, 3, 2}) ==
              condition::service_unavailable);
        // The subject's other details do not depend on the class.
        CHECK(code(4, 3, 1) == condition::server_storage_full);
        CHECK(code(5, 3, 1) == condition::server_storage_full);
        // Past the table made once (subject 8 and on, detail 32 and on), the same rows decide.
        CHECK(code(4, 3, 99) == condition::server_error);
    }

    TEST_CASE("an unknown detail falls back to the subject's condition") {
        CHECK(code(5, 2, 99) == condition::recipient_mailbox_unavailable);
        CHECK(code(4, 3, 99) == condition::server_error);
        CHECK(code(5, 4, 99) == condition::server_error);
        CHECK(code(5, 5, 99) == condition::syntax_error);
        CHECK(code(5, 6, 99) == condition::message_content_rejected);
        CHECK(code(5, 2, 99) != condition::permanent_failure);
    }

    TEST_CASE("an unknown subject, or a subject without a default, falls back to the class") {
        CHECK(code(5, 9, 9) == condition::permanent_failure);
        CHECK(code(4, 9, 9) == condition::transient_failure);
        CHECK(code(5, 999, 999) == condition::permanent_failure);
        CHECK(code(5, 1, 99) == condition::permanent_failure);
        CHECK(code(4, 7, 99) == condition::transient_failure);
        CHECK(code(5, 0, 0) == condition::permanent_failure);
    }

    TEST_CASE("the class of the code decides the failure class") {
        CHECK(code(4, 2, 2) == failure_class::transient);
        CHECK(code(4, 2, 2) != failure_class::permanent);
        CHECK(code(5, 2, 2) == failure_class::permanent);
        CHECK(code(5, 2, 2) != failure_class::transient);
        CHECK(code(2, 0, 0) != failure_class::transient);
        CHECK(code(2, 0, 0) != failure_class::permanent);
        for (const std::uint16_t subject :
             {std::uint16_t{0}, std::uint16_t{7}, std::uint16_t{999}}) {
            CHECK(code(4, subject, 1) == failure_class::transient);
            CHECK(code(5, subject, 1) == failure_class::permanent);
        }
    }

    TEST_CASE("every valid code equals exactly one condition, its default_condition()") {
        const std::uint8_t classes[] = {2, 4, 5};
        for (const std::uint8_t cls : classes) {
            for (std::uint16_t subject = 0; subject < 10; ++subject) {
                for (std::uint16_t detail = 0; detail < 40; ++detail) {
                    const enhanced_status s{cls, subject, detail};
                    INFO("code " << s.to_string());
                    int equal = 0;
                    for (int c = 0; c < smtperr::condition_count; ++c) {
                        if (smtperr::make_error_code(s) == static_cast<condition>(c)) {
                            ++equal;
                            CHECK(static_cast<condition>(c) == smtperr::default_condition(s));
                        }
                    }
                    CHECK(equal == 1);
                }
            }
        }
    }
}
