#include <smtperr/error/reply_code.hpp>

// Tests of the smtperr.reply category: messages for every known code and for unknown and
// invalid ones, the class conditions and the context-free conditions.
#include <smtperr/error/condition.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <climits>
#include <ostream>
#include <string>
#include <string_view>
#include <system_error>

namespace {

using smtperr::condition;
using smtperr::failure_class;
using smtperr::reply_code;

struct code_row {
    int code;
    std::string_view meaning;
};

// Every basic code the library knows (RFC 5321 §4.2 and the extension RFCs).
const code_row code_rows[] = {
    {211, "System status or help reply"},
    {214, "Help message"},
    {220, "Service ready"},
    {221, "Service closing transmission channel"},
    {235, "Authentication succeeded"},
    {250, "Requested action okay, completed"},
    {251, "User not local; will forward"},
    {252, "Cannot verify the user, but will accept the message"},
    {253, "Pending messages for the node started"},
    {334, "Authentication challenge"},
    {354, "Start mail input; end with <CRLF>.<CRLF>"},
    {421, "Service not available, closing transmission channel"},
    {432, "A password transition is needed"},
    {450, "Requested mail action not taken: mailbox unavailable"},
    {451, "Requested action aborted: local error in processing"},
    {452, "Requested action not taken: insufficient system storage"},
    {453, "You have no mail"},
    {454, "Temporary authentication failure or TLS not available"},
    {455, "Server unable to accommodate parameters"},
    {458, "Unable to queue messages for the node"},
    {459, "Node not allowed"},
    {500, "Syntax error, command unrecognized"},
    {501, "Syntax error in parameters or arguments"},
    {502, "Command not implemented"},
    {503, "Bad sequence of commands"},
    {504, "Command parameter not implemented"},
    {521, "Host does not accept mail"},
    {530, "Authentication or STARTTLS required"},
    {534, "Authentication mechanism is too weak"},
    {535, "Authentication credentials invalid"},
    {538, "Encryption required for the requested authentication mechanism"},
    {550, "Requested action not taken: mailbox unavailable"},
    {551, "User not local; please try the forward-path"},
    {552, "Requested mail action aborted: exceeded storage allocation"},
    {553, "Requested action not taken: mailbox name not allowed"},
    {554, "Transaction failed"},
    {555, "MAIL FROM/RCPT TO parameters not recognized or not implemented"},
    {556, "Domain does not accept mail"},
};

const code_row* find_row(int code) {
    const auto* it = std::find_if(std::begin(code_rows), std::end(code_rows),
                                  [code](const code_row& r) { return r.code == code; });
    return it == std::end(code_rows) ? nullptr : it;
}

std::error_code code(int v) {
    return reply_code{v};
}

std::string str(std::string_view s) {
    return std::string(s);
}

}  // namespace

TEST_SUITE("smtperr/error/reply_code.hpp") {
    TEST_CASE("the category is named smtperr.reply") {
        CHECK(str(smtperr::reply_category().name()) == "smtperr.reply");
        CHECK(&smtperr::reply_category() == &smtperr::reply_category());
    }

    TEST_CASE("a reply_code converts to an error code whose value is the wire code") {
        const std::error_code ec = smtperr::reply_code{550};
        CHECK(ec.category() == smtperr::reply_category());
        CHECK(ec.value() == 550);
        CHECK(ec == reply_code{550});
        CHECK(ec != reply_code{551});
        CHECK(smtperr::make_error_code(reply_code{421}) ==
              std::error_code(421, smtperr::reply_category()));
    }

    TEST_CASE("every known code has its exact message") {
        for (const auto& row : code_rows) {
            INFO("code " << row.code);
            CHECK(code(row.code).message() == std::to_string(row.code) + " " + str(row.meaning));
            CHECK(str(smtperr::reply_code_meaning(row.code)) == str(row.meaning));
        }
        CHECK(code(550).message() == "550 Requested action not taken: mailbox unavailable");
    }

    TEST_CASE("the codes of the reference list all have a meaning") {
        // The codes in /work/shared/reference/reply-codes.tsv that an SMTP RFC defines.
        for (const int c : {211, 214, 220, 221, 235, 250, 251, 252, 253, 334, 354, 421, 432,
                            450, 451, 452, 453, 454, 455, 458, 459, 500, 501, 502, 503, 504,
                            521, 530, 534, 535, 538, 550, 551, 552, 553, 554, 555, 556}) {
            INFO("code " << c);
            CHECK(!smtperr::reply_code_meaning(c).empty());
        }
        // The list's codes that no SMTP RFC defines (only the IANA enhanced-status registry
        // names them as associated codes): "classify by first digit", as the list says.
        for (const int c : {422, 430, 523, 524, 525, 533}) {
            INFO("code " << c);
            CHECK(smtperr::reply_code_meaning(c).empty());
            CHECK(code(c) ==
                  (c < 500 ? condition::transient_failure : condition::permanent_failure));
        }
    }

    TEST_CASE("unknown codes in range name their class") {
        CHECK(code(466).message() == "466 unknown reply code (transient negative completion)");
        CHECK(code(577).message() == "577 unknown reply code (permanent negative completion)");
        CHECK(code(299).message() == "299 unknown reply code (positive completion)");
        CHECK(code(399).message() == "399 unknown reply code (positive intermediate)");
        for (int v = 200; v <= 599; ++v) {
            if (find_row(v) != nullptr) {
                continue;
            }
            INFO("code " << v);
            const char* cls = v < 300   ? "positive completion"
                              : v < 400 ? "positive intermediate"
                              : v < 500 ? "transient negative completion"
                                        : "permanent negative completion";
            CHECK(code(v).message() ==
                  std::to_string(v) + " unknown reply code (" + std::string(cls) + ")");
            CHECK(smtperr::reply_code_meaning(v).empty());
        }
    }

    TEST_CASE("codes out of range give a message naming them and never throw") {
        CHECK(code(123).message() == "invalid reply code 123");
        for (const int v : {INT_MIN, -550, -1, 0, 1, 99, 123, 199, 600, 999, 1000, 5500, INT_MAX}) {
            INFO("value " << v);
            std::string message;
            CHECK_NOTHROW(message = code(v).message());
            CHECK(message == "invalid reply code " + std::to_string(v));
            CHECK(smtperr::reply_code_meaning(v).empty());
            CHECK(code(v) != failure_class::transient);
            CHECK(code(v) != failure_class::permanent);
            // Not even none, which means a positive reply (found in a review).
            for (int c = 0; c < smtperr::condition_count; ++c) {
                CHECK(code(v) != static_cast<condition>(c));
            }
        }
    }

    TEST_CASE("every negative code equals exactly one failure class, decided by its first digit") {
        for (int v = 400; v <= 599; ++v) {
            INFO("code " << v);
            const bool is_transient = code(v) == failure_class::transient;
            const bool is_permanent = code(v) == failure_class::permanent;
            CHECK(is_transient == (v < 500));
            CHECK(is_permanent == (v >= 500));
        }
    }

    TEST_CASE("positive codes equal neither failure class") {
        for (int v = 200; v <= 399; ++v) {
            INFO("code " << v);
            CHECK(code(v) != failure_class::transient);
            CHECK(code(v) != failure_class::permanent);
        }
    }

    TEST_CASE("codes compare equal to their context-free condition") {
        CHECK(code(550) == condition::recipient_mailbox_unavailable);
        CHECK(code(535) == condition::authentication_failed);
        CHECK(code(530) == condition::authentication_required);
        CHECK(code(421) == condition::service_unavailable);
        CHECK(code(466) == condition::transient_failure);
        CHECK(code(577) == condition::permanent_failure);
        CHECK(code(250) == condition::none);
        CHECK(code(354) == condition::none);
        // The code alone does not tell an unknown recipient from other mailbox problems.
        CHECK(code(550) != condition::recipient_unknown);
        // A specific condition is not also the class fallback.
        CHECK(code(421) != condition::transient_failure);
        CHECK(code(550) != condition::permanent_failure);
    }

    TEST_CASE("every code in range equals exactly one condition, its default_condition()") {
        for (int v = 200; v <= 599; ++v) {
            INFO("code " << v);
            int equal = 0;
            for (int c = 0; c < smtperr::condition_count; ++c) {
                if (code(v) == static_cast<condition>(c)) {
                    ++equal;
                    CHECK(static_cast<condition>(c) == smtperr::default_condition(v));
                }
            }
            CHECK(equal == 1);
        }
    }
}
