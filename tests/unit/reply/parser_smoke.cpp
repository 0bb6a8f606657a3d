#include <smtperr/reply/parser.hpp>

#include <smtperr/error/errc.hpp>

#include <doctest/doctest.h>

TEST_CASE("multi-line reply parses") {
    smtperr::reply_parser p;
    std::error_code ec;
    std::string_view in = "250-mx\r\n250-PIPELINING\r\n250 AUTH PLAIN\r\n";
    auto n = p.feed(in, ec);
    CHECK(!ec);
    CHECK(n == in.size());
    REQUIRE(p.has_reply());
    CHECK(p.get().code == 250);
    CHECK(p.get().text == "mx\nPIPELINING\nAUTH PLAIN");
}
