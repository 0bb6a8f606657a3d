// smtperr — SMTP error mapping for mail clients.
// Distributed under the Boost Software License, Version 1.0.

// A program outside the smtperr tree, built by the packaging tests (find_package and
// add_subdirectory). It exits 0 only when the library behaves as documented.

#include <smtperr/error/condition.hpp>
#include <smtperr/error/errc.hpp>
#include <smtperr/error/reply_code.hpp>
#include <smtperr/reply/parser.hpp>

#include <cstdio>
#include <string_view>
#include <system_error>

namespace {

int failures = 0;

void check(bool ok, const char* what) {
    if (!ok) {
        std::fprintf(stderr, "FAILED: %s\n", what);
        ++failures;
    }
}

}  // namespace

int main() {
    smtperr::reply_parser parser;
    std::error_code ec;
    const std::string_view input =
        "550-5.1.1 The email account that you tried to reach\r\n"
        "550 5.1.1 does not exist.\r\n";
    const std::size_t n = parser.feed(input, ec);
    check(!ec, "feed reports no error");
    check(n == input.size(), "feed consumes the whole reply");
    check(parser.has_reply(), "a reply is complete");
    if (parser.has_reply()) {
        const smtperr::reply_view r = parser.get();
        check(r.code == 550, "code is 550");
        check(r.line_count == 2, "two lines");
        check(r.status.has_value() && r.status->cls == 5 && r.status->subject == 1 &&
                  r.status->detail == 1,
              "enhanced status 5.1.1");

        const std::error_code reply_ec = smtperr::reply_code{r.code};
        check(reply_ec.category().name() == std::string_view("smtperr.reply"),
              "reply category name");
        check(reply_ec == smtperr::failure_class::permanent, "550 is permanent");
        check(reply_ec != smtperr::failure_class::transient, "550 is not transient");
    }

    // A parse error is an error_code of the library's own category.
    smtperr::reply_parser strict(smtperr::parser_limits{512, 8192, 128, 65536, true});
    strict.feed("250 ok\n", ec);
    check(ec == smtperr::errc::bare_lf, "bare LF is an error in strict mode");
    check(ec == smtperr::condition::protocol_violation, "parse errors are protocol violations");
    check(ec != smtperr::condition::recipient_unknown, "and nothing else");
    check(!ec.message().empty(), "errors have a message");

    if (failures == 0) {
        std::puts("smtperr consumer: all checks passed");
    }
    return failures == 0 ? 0 : 1;
}
