#include <smtperr/reply/reply.hpp>

// Tests of the reply types (view, owning copy, line access) and of parse_reply().
#include <smtperr/error/errc.hpp>
#include <smtperr/reply/parser.hpp>

#include <doctest/doctest.h>

#include <ostream>
#include <string>
#include <string_view>
#include <system_error>

namespace {

using smtperr::enhanced_status;
using smtperr::errc;

std::string str(std::string_view s) {
    return std::string(s);
}

smtperr::reply_view view_of(std::string_view text, std::size_t lines) {
    smtperr::reply_view v;
    v.code = 250;
    v.text = text;
    v.line_count = lines;
    return v;
}

std::error_code error_of(std::string_view whole) {
    const auto r = smtperr::parse_reply(whole);
    return r.has_error() ? r.error() : std::error_code{};
}

}  // namespace

using namespace std::string_literals;

TEST_SUITE("smtperr/reply/reply.hpp") {
    TEST_CASE("line() returns each line of the text and nothing past the last") {
        const auto v = view_of("a\nbb\n\nccc", 4);
        CHECK(str(v.line(0)) == "a");
        CHECK(str(v.line(1)) == "bb");
        CHECK(str(v.line(2)) == "");
        CHECK(str(v.line(3)) == "ccc");
        CHECK(v.line(4).empty());
        CHECK(v.line(1000).empty());
        CHECK(v.line(static_cast<std::size_t>(-1)).empty());

        const auto one = view_of("only", 1);
        CHECK(str(one.line(0)) == "only");
        CHECK(one.line(1).empty());

        const auto empty = view_of("", 1);
        CHECK(empty.line(0).empty());
        CHECK(empty.line(1).empty());

        const auto trailing = view_of("mx\n", 2);
        CHECK(str(trailing.line(0)) == "mx");
        CHECK(trailing.line(1).empty());
        CHECK(trailing.line(2).empty());
    }

    TEST_CASE("a reply copied from the parser's view outlives the parser's next input") {
        smtperr::reply_parser p;
        std::error_code ec;
        p.feed("550-5.1.1 a\r\n550 4.1.1 b\r\n", ec);
        REQUIRE(p.has_reply());
        const smtperr::reply_view v = p.get();
        const smtperr::reply copy(v);
        CHECK(copy.code == 550);
        CHECK(copy.text == "5.1.1 a\n4.1.1 b");
        CHECK(copy.line_count == 2);
        REQUIRE(copy.status.has_value());
        CHECK(*copy.status == enhanced_status{5, 1, 1});
        CHECK(copy.reported_status_class == 5);
        CHECK(copy.flags.status_class_mismatch);  // The second line wrote class 4.
        CHECK(!copy.flags.status_inconsistent);

        p.feed("421 4.4.2 bye bye bye bye bye\r\n", ec);
        REQUIRE(p.has_reply());
        CHECK(p.get().code == 421);
        CHECK(copy.text == "5.1.1 a\n4.1.1 b");
        CHECK(copy.code == 550);
    }

    TEST_CASE("the copy keeps every field, flags included") {
        smtperr::reply_parser p;
        std::error_code ec;
        p.feed("550-4.2.2 a\n550 5.7.1 b\r\n", ec);
        REQUIRE(p.has_reply());
        const smtperr::reply r(p.get());
        CHECK(r.code == 550);
        CHECK(r.line_count == 2);
        REQUIRE(r.status.has_value());
        CHECK(*r.status == enhanced_status{5, 2, 2});
        CHECK(r.reported_status_class == 4);
        CHECK(r.flags.status_class_mismatch);
        CHECK(r.flags.status_inconsistent);
        CHECK(r.flags.bare_lf);
        CHECK(!r.flags.long_line);
    }

    TEST_CASE("view() of a reply shows its own fields and text") {
        smtperr::reply r;
        r.code = 452;
        r.text = "4.5.3 Too many recipients\nsecond";
        r.line_count = 2;
        r.status = enhanced_status{4, 5, 3};
        r.reported_status_class = 4;
        r.flags.long_line = true;
        const auto v = r.view();
        CHECK(v.code == 452);
        CHECK(v.text.data() == r.text.data());
        CHECK(v.text.size() == r.text.size());
        CHECK(v.line_count == 2);
        REQUIRE(v.status.has_value());
        CHECK(*v.status == enhanced_status{4, 5, 3});
        CHECK(v.reported_status_class == 4);
        CHECK(v.flags.long_line);
        CHECK(!v.flags.bare_lf);
        CHECK(str(v.line(1)) == "second");

        const smtperr::reply again(v);
        CHECK(again.text == r.text);
        CHECK(again.text.data() != r.text.data());
    }

    TEST_CASE("a default reply is empty") {
        const smtperr::reply r;
        CHECK(r.code == 0);
        CHECK(r.text.empty());
        CHECK(r.line_count == 0);
        CHECK(!r.status.has_value());
        CHECK(r.reported_status_class == 0);
    }

    TEST_CASE("parse_reply() takes one reply with CRLF, LF or no final line end") {
        struct row {
            std::string_view whole;
            int code;
            std::string_view text;
            std::size_t lines;
            bool bare_lf;
        };
        const row rows[] = {
            {"250 ok", 250, "ok", 1, false},
            {"250 ok\r\n", 250, "ok", 1, false},
            {"250 ok\n", 250, "ok", 1, true},
            {"250", 250, "", 1, false},
            {"334 ", 334, "", 1, false},
            {"250-mx\r\n250 AUTH PLAIN\r\n", 250, "mx\nAUTH PLAIN", 2, false},
            {"250-mx\r\n250 AUTH PLAIN", 250, "mx\nAUTH PLAIN", 2, false},
            {"250-mx\n250 AUTH PLAIN", 250, "mx\nAUTH PLAIN", 2, true},
            {"250-mx\n250-a\r\n250 b\n", 250, "mx\na\nb", 3, true},
            {"250 a\rb", 250, "a\rb", 1, false},
        };
        for (const auto& r : rows) {
            INFO("whole: " << str(r.whole));
            const auto res = smtperr::parse_reply(r.whole);
            REQUIRE(res.has_value());
            CHECK(res.value().code == r.code);
            CHECK(res.value().text == r.text);
            CHECK(res.value().line_count == r.lines);
            CHECK(res.value().flags.bare_lf == r.bare_lf);
            CHECK(!res.value().status.has_value());
        }
    }

    TEST_CASE("parse_reply() reads the enhanced status and its flags") {
        const auto r = smtperr::parse_reply("550-5.1.1 a\r\n550 5.7.1 b");
        REQUIRE(r.has_value());
        REQUIRE(r.value().status.has_value());
        CHECK(*r.value().status == enhanced_status{5, 1, 1});
        CHECK(r.value().flags.status_inconsistent);

        const auto m = smtperr::parse_reply("550 4.2.2 Mailbox full");
        REQUIRE(m.has_value());
        REQUIRE(m.value().status.has_value());
        CHECK(*m.value().status == enhanced_status{5, 2, 2});
        CHECK(m.value().reported_status_class == 4);
        CHECK(m.value().flags.status_class_mismatch);
    }

    TEST_CASE("parse_reply() rejects bytes after the final line as trailing_data") {
        CHECK(error_of("250 ok\r\n250 again\r\n") == errc::trailing_data);
        CHECK(error_of("250 ok\r\nx") == errc::trailing_data);
        CHECK(error_of("250 ok\nx") == errc::trailing_data);
        CHECK(error_of("250 ok\r\n\r\n") == errc::trailing_data);
        CHECK(error_of("250-a\r\n250 b\r\n250 c") == errc::trailing_data);
    }

    TEST_CASE("parse_reply() reports an unfinished multi-line reply as truncated_reply") {
        CHECK(error_of("250-a\r\n") == errc::truncated_reply);
        CHECK(error_of("250-a") == errc::truncated_reply);
        CHECK(error_of("250-a\n250-b\n") == errc::truncated_reply);
    }

    TEST_CASE("parse_reply() passes on the parser's errors") {
        CHECK(error_of("") == errc::invalid_code);
        CHECK(error_of("2x0 ok") == errc::invalid_code);
        CHECK(error_of("100 hi") == errc::code_out_of_range);
        CHECK(error_of("250-a\r\n251 b") == errc::inconsistent_code);
        CHECK(error_of("250x") == errc::missing_separator);
        CHECK(error_of("250 a\0b"s) == errc::nul_byte);
        CHECK(error_of("250 " + std::string(8200, 'x')) == errc::line_too_long);
    }

    TEST_CASE("parse_reply() is lenient: long lines are flagged, not rejected") {
        const auto r = smtperr::parse_reply("250 " + std::string(600, 'x') + "\r\n");
        REQUIRE(r.has_value());
        CHECK(r.value().flags.long_line);
        CHECK(r.value().text.size() == 600);
    }
}
