// smtperr — SMTP error mapping for mail clients.
// Distributed under the Boost Software License, Version 1.0.
//
// Catalogue groups L, N, H and I: hostile server text reaching the list-view line,
// caller-supplied addresses with CR/LF/NUL, and transaction paths (all recipients refused
// but DATA accepted, RSET before a further transaction, HELO fallback, pipelined replies).

#include <smtperr/messages/messages.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <string_view>

#include "integration/hostile/hostile.hpp"

namespace {

using namespace smtperr::hostile;
using smtperr::condition;
using smtperr::errc;
using smtperr::outcome;

constexpr auto plain = sa::tls_mode::none;

hostile_case ui_case(std::string name, std::string reply, condition c, std::string visible) {
    hostile_case h(std::move(name), rcpt_reply(std::move(reply)), plain, cert::good,
                   creds::password, failed(c, smtperr::hostile::reply(550)), {"DATA"});
    h.check = [visible](const outcome_data& r, const script_server&) {
        // Sanitized (the harness checks every UI string), but the words survive.
        CHECK(r.report.deciding.server_text.find(visible) != std::string::npos);
    };
    return h;
}

expected refused(errc e) {
    return {outcome::failed, condition::none, {}, false, make_error_code(e)};
}

hostile_case input_case(std::string name, errc e,
                        std::function<void(sa::submit_options&, sa::message&)> tweak) {
    hostile_case h(std::move(name), {send(greeting)}, plain, cert::good, creds::password,
                   refused(e));
    h.tweak = std::move(tweak);
    h.script_followed = false;
    return h;
}

}  // namespace

TEST_SUITE("hostile") {
    TEST_CASE("L: escapes, bidi, invisible characters and bad UTF-8 are sanitized for the UI") {
        std::vector<hostile_case> cases = {
            ui_case("L-01 ANSI, OSC-8 hyperlink and C1 controls",
                    "550 5.1.1 \x1b[31;1;4mSMTP\x1b[0m \x1b]8;;http://evil/\x07"
                    "click\x1b]8;;\x07 \xc2\x9b"
                    "2J rejected\r\n",
                    condition::recipient_unknown, "rejected"),
            ui_case("L-02 bidi overrides and isolates",
                    "550 5.1.1 Blocked, see \u202Egro.elpmaxe\u202C and \u2067x\u2069 "
                    "\u200F\u061C end\r\n",
                    condition::recipient_unknown, "gro.elpmaxe"),
            ui_case("L-03 zero-width and invisible characters",
                    "550 5.1.1 g\u200Bm\u200Ca\u200Di\u2060l\uFEFF.com unknown\r\n",
                    condition::recipient_unknown, "gmail.com"),
            ui_case("L-04 invalid UTF-8",
                    "550 5.1.1 \xC0\xAF \xED\xA0\x80 \xE2\x82 \xF5\x80\x80\x80 m\xC3\xBCller\r\n",
                    condition::recipient_unknown, "m\xC3\xBCller"),
            // Plain text, shown literally: no markup interpreted, no entity decoded.
            ui_case("L-06 HTML markup and an entity",
                    "550 5.1.1 <a href=\"http://evil\">Click to verify</a>"
                    "<img src=x onerror=alert(1)> &amp;\r\n",
                    condition::recipient_unknown,
                    "<a href=\"http://evil\">Click to verify</a><img src=x onerror=alert(1)> "
                    "&amp;"),
            // A value, never a format: nothing expanded, nothing consumed.
            ui_case("L-09 format directives and template syntax",
                    "550 5.1.1 %s%n%x{0}{{user}}$(id)\r\n", condition::recipient_unknown,
                    "%s%n%x{0}{{user}}$(id)"),
        };
        // A 551's forward-path goes into the list-view line and the recipients_rejected
        // event as it is: one with escapes or bidi controls is no address to offer.
        hostile_case fwd("L-01/H-07 551 forward-path with escapes and bidi: not offered",
                         rcpt_reply("551 User not local; please try "
                                    "<\x1b[31mx\u202E@evil.example>\r\n"),
                         plain, cert::good, creds::password,
                         failed(condition::recipient_not_local, reply(551)), {"DATA"});
        fwd.check = [](const outcome_data& r, const script_server&) {
            for (const auto lang : {smtperr::language::en, smtperr::language::de}) {
                const auto text = smtperr::render_message(r.report.deciding.view(), lang);
                check_ui_text("551 list_line", text.list_line);
                CHECK(text.list_line.find("evil.example") == std::string::npos);
            }
            CHECK(r.report.deciding.forward_path.empty());
        };
        // L-09: a forward-path that looks like a placeholder or a format goes in as a value.
        hostile_case fmt("L-09 551 forward-path with placeholder and format syntax",
                         rcpt_reply("551 User not local; please try <{recipient}%s%n@x.test>\r\n"),
                         plain, cert::good, creds::password,
                         failed(condition::recipient_not_local, reply(551)), {"DATA"});
        fmt.check = [](const outcome_data& r, const script_server&) {
            for (const auto lang : {smtperr::language::en, smtperr::language::de}) {
                const auto text = smtperr::render_message(r.report.deciding.view(), lang);
                CHECK(text.list_line.find("{recipient}%s%n@x.test") != std::string::npos);
                CHECK(text.list_line.find("b@y.test") == std::string::npos);
            }
        };
        std::string many;
        for (int i = 0; i < 50; ++i) {
            many += "550-5.1.1 " + std::string(480, 'z') + "\t\r\r\n";
        }
        many += "550 5.1.1 last\r\n";
        hostile_case longer("L-05 a 50-line reply of 500 characters a line", rcpt_reply(many),
                            plain, cert::good, creds::password,
                            failed(condition::recipient_unknown, reply(550)), {"DATA"});
        longer.check = [](const outcome_data& r, const script_server&) {
            const auto text =
                smtperr::render_message(r.report.deciding.view(), smtperr::language::en);
            const auto code_points = [](std::string_view u) {
                return static_cast<std::size_t>(std::count_if(u.begin(), u.end(), [](char ch) {
                    return (static_cast<unsigned char>(ch) & 0xC0U) != 0x80U;
                }));
            };
            // Capped, not dropped: the server's own text up to the cap, then an ellipsis.
            const auto& shown = r.report.deciding.server_text;
            CHECK(code_points(text.list_line) <= 90);
            CHECK(code_points(shown) == smtperr::default_server_text_limit);
            CHECK(shown.find(std::string(100, 'z')) != std::string::npos);
        };
        hostile_case code(
            "L-08 the code decides, not the text (250 \"Error\" to MAIL)",
            plain_login() +
                std::vector<step>{expect("MAIL", "250 2.0.0 Error: your password is wrong\r\n"),
                                  expect("RCPT", "550 OK accepted\r\n"),
                                  expect("QUIT", "221 bye\r\n")},
            plain, cert::good, creds::password, failed(condition::recipient_unknown, reply(550)),
            {"DATA"});
        // 7-bit ESC sequences, an 8-bit CSI (0x9B), a C1 CSI (U+009B), a right-to-left
        // override (U+202E) and an octet no UTF-8 has.
        hostile_case esc("L-01 escapes in the greeting never reach the log raw",
                         std::vector<step>{send("220 \x1b[2J\x1b]0;owned\x07 mx.test \x9b"
                                                "31m \xc2\x9b"
                                                "2J \xe2\x80\xaerev \xff\r\n"),
                                           expect("EHLO client.test", ehlo_auth),
                                           expect("AUTH PLAIN ", "235 ok\r\n")} +
                             transaction(),
                         plain, cert::good, creds::password, sent());
        esc.check = [](const outcome_data& r, const script_server&) {
            CHECK(r.transcript.find('\x1b') == std::string::npos);
            CHECK(r.transcript.find("\\x1b[2J") != std::string::npos);
            CHECK(std::none_of(r.transcript.begin(), r.transcript.end(),
                               [](char c) { return static_cast<unsigned char>(c) >= 0x80; }));
            CHECK(r.transcript.find("\\x9b31m \\xc2\\x9b2J \\xe2\\x80\\xaerev \\xff") !=
                  std::string::npos);
        };
        cases.push_back(fwd);
        cases.push_back(fmt);
        cases.push_back(longer);
        cases.push_back(code);
        cases.push_back(esc);
        play_all(cases);
    }

    TEST_CASE("N-01: caller addresses with CR, LF or NUL are refused before connecting") {
        play_all({
            input_case(
                "N-01 MAIL FROM with CRLF and a smuggled RCPT", errc::invalid_address,
                [](sa::submit_options&, sa::message& m) { m.from = "a@b>\r\nRCPT TO:<victim@x"; }),
            input_case("N-01 recipient with LF", errc::invalid_address,
                       [](sa::submit_options&, sa::message& m) {
                           m.recipients = {"b@y.test", "c@y.test\nRSET"};
                       }),
            input_case(
                "N-01 recipient with CR", errc::invalid_address,
                [](sa::submit_options&, sa::message& m) { m.recipients = {"c@y.test\rDATA"}; }),
            input_case(
                "N-01 sender with NUL", errc::invalid_address,
                [](sa::submit_options&, sa::message& m) { m.from = std::string("a\0@x.test", 9); }),
            input_case("N-01 EHLO name with CRLF", errc::invalid_option,
                       [](sa::submit_options& o, sa::message&) {
                           o.client_name = "client\r\nMAIL FROM:<x@y>";
                       }),
            input_case(
                "N-01 user name with CRLF", errc::invalid_option,
                [](sa::submit_options& o, sa::message&) { o.credentials->user = "alice\r\nQUIT"; }),
        });
    }

    TEST_CASE("N-02: addresses over RFC 5321's length limits never reach the wire") {
        // Found in review: only the 254-octet total was checked.
        std::string umlaut_labels = "\xc3\xbc";  // 84 labels "ü": 253 octets, 673 as A-labels
        for (int i = 1; i < 84; ++i) {
            umlaut_labels += ".\xc3\xbc";
        }
        const std::string too_long_idn = "a@" + umlaut_labels;
        hostile_case idn_alone(
            "N-02 umlaut domain whose A-labels make a 673-octet path, no SMTPUTF8: refused "
            "before MAIL",
            plain_login() + std::vector<step>{expect("QUIT", "221 bye\r\n")}, plain, cert::good,
            creds::password, failed(condition::international_address_unsupported, reply(553)),
            {"MAIL", "RCPT"}, {"QUIT"});
        idn_alone.tweak = [too_long_idn](sa::submit_options&, sa::message& m) {
            m.recipients = {too_long_idn};
        };
        hostile_case idn_one(
            "N-02 one recipient whose A-labels make a 673-octet path: only it refused",
            plain_login() + std::vector<step>{expect("MAIL FROM:<a@x.test>", "250 ok\r\n"),
                                              expect("RCPT TO:<b@y.test>", "250 ok\r\n"),
                                              expect("DATA", "354 go\r\n"), data("250 queued\r\n"),
                                              expect("QUIT", "221 bye\r\n")},
            plain, cert::good, creds::password,
            {outcome::partially_sent,
             condition::international_address_unsupported,
             reply(553),
             false,
             {}},
            {"RCPT TO:<a@"});
        idn_one.tweak = [too_long_idn](sa::submit_options&, sa::message& m) {
            m.recipients = {"b@y.test", too_long_idn};
        };
        play_all({
            input_case("N-02 recipient with a local part of 65 octets", errc::invalid_address,
                       [](sa::submit_options&, sa::message& m) {
                           m.recipients = {"b@y.test", std::string(65, 'l') + "@y.test"};
                       }),
            input_case("N-02 sender with a domain label of 64 octets", errc::invalid_address,
                       [](sa::submit_options&, sa::message& m) {
                           m.from = "a@" + std::string(64, 'd') + ".test";
                       }),
            idn_alone,
            idn_one,
        });
    }

    TEST_CASE("H/I: transaction paths") {
        const std::string ehlo_pipe = "250-mx.test\r\n250-PIPELINING\r\n250 AUTH PLAIN\r\n";
        const std::vector<step> login_pipe = {send(greeting), expect("EHLO", ehlo_pipe),
                                              expect("AUTH PLAIN", "235 ok\r\n")};
        step group;
        group.expect = {"MAIL FROM:<a@x.test>", "RCPT TO:<b@y.test>", "DATA"};
        group.reply = "250 ok\r\n550 5.1.1 unknown\r\n354 go\r\n";
        hostile_case all_refused(
            "H-04 354 although every RCPT failed: only a lone dot",
            login_pipe + std::vector<step>{group, data("554 5.5.1 no recipients\r\n"),
                                           expect("QUIT", "221 bye\r\n")},
            plain, cert::good, creds::password, failed(condition::recipient_unknown, reply(550)));
        all_refused.check = [](const outcome_data&, const script_server& srv) {
            CHECK(srv.data == ".\r\n");  // Never the body.
        };
        hostile_case no_data("H-04 every RCPT refused without PIPELINING: no DATA at all",
                             rcpt_reply("550 5.1.1 unknown\r\n"), plain, cert::good,
                             creds::password, failed(condition::recipient_unknown, reply(550)),
                             {"DATA"});

        hostile_case rset(
            "RSET before a further transaction",
            plain_login() + std::vector<step>{expect("MAIL FROM:<a@x.test>", "250 ok\r\n"),
                                              expect("RCPT TO:<b@y.test>", "550 5.1.1 unknown\r\n"),
                                              expect("RSET", "250 2.0.0 reset\r\n"),
                                              expect("MAIL FROM:<a@x.test>", "250 ok\r\n"),
                                              expect("RCPT TO:<c@y.test>", "250 ok\r\n"),
                                              expect("DATA", "354 go\r\n"), data("250 queued\r\n"),
                                              expect("QUIT", "221 bye\r\n")},
            plain, cert::good, creds::password,
            {outcome::partially_sent, condition::recipient_unknown, reply(550), false, {}}, {},
            {"RSET"});
        rset.tweak = [](sa::submit_options& o, sa::message& m) {
            o.max_recipients_per_transaction = 1;
            m.recipients = {"b@y.test", "c@y.test"};
        };
        // A refused RSET ends the session, but says nothing about the recipient never tried:
        // it waits for another connection (a 421 would defer it with its own reply).
        hostile_case rset_refused(
            "RSET refused ends the session, the untried recipient waits",
            plain_login() + std::vector<step>{expect("MAIL FROM:<a@x.test>", "250 ok\r\n"),
                                              expect("RCPT TO:<b@y.test>", "550 5.1.1 unknown\r\n"),
                                              expect("RSET", "500 5.5.1 no\r\n"),
                                              expect("QUIT", "221 bye\r\n")},
            plain, cert::good, creds::password,
            {outcome::deferred,
             condition::protocol_violation,
             transport(errc::protocol_violation),
             false,
             {}},
            {"DATA", "RCPT TO:<c@y.test>"}, {"RSET"});
        rset_refused.tweak = rset.tweak;
        rset_refused.check = [](const outcome_data& r, const script_server&) {
            REQUIRE(r.report.recipients.size() == 2);
            CHECK(to_string(r.report.recipients[0].diagnosis->condition) == "recipient_unknown");
            CHECK_FALSE(r.report.recipients[0].pending());
            CHECK(r.report.recipients[1].pending());
        };

        auto helo = [](std::string name, std::string ehlo_reply) {
            hostile_case h(std::move(name),
                           std::vector<step>{send(greeting), expect("EHLO", std::move(ehlo_reply)),
                                             expect("HELO client.test", "250 mx.test\r\n")} +
                               transaction(),
                           plain, cert::good, creds::none, sent(), {"MAIL FROM:<a@x.test> SIZE"},
                           {"HELO"});
            return h;
        };
        step counted;
        counted.expect = {"MAIL FROM:<a@x.test>", "RCPT TO:<b@y.test>", "RCPT TO:<c@y.test>",
                          "DATA"};
        counted.reply = "250-ok\r\n250 ok\r\n550 5.1.1 b unknown\r\n250 ok\r\n354 go\r\n";
        hostile_case by_count(
            "H-01/H-03 pipelined replies matched by count, multi-line as one",
            login_pipe +
                std::vector<step>{counted, data("250 queued\r\n"), expect("QUIT", "221 bye\r\n")},
            plain, cert::good, creds::password,
            {outcome::partially_sent, condition::recipient_unknown, reply(550), false, {}});
        by_count.tweak = [](sa::submit_options&, sa::message& m) {
            m.recipients = {"b@y.test", "c@y.test"};
        };
        by_count.check = [](const outcome_data& r, const script_server&) {
            REQUIRE(r.report.recipients.size() == 2);
            CHECK_FALSE(r.report.recipients[0].accepted);
            CHECK(r.report.recipients[1].accepted);
        };
        step short_group = group;
        short_group.reply = "250 ok\r\n250 ok\r\n";
        hostile_case fewer("H-02 fewer replies than commands, then EOF",
                           login_pipe + std::vector<step>{closing(short_group)}, plain, cert::good,
                           creds::password,
                           deferred(condition::connection_lost, transport(errc::connection_lost)));
        hostile_case data_refused(
            "I-01 DATA refused: the body is not sent",
            plain_login() + std::vector<step>{expect("MAIL", "250 ok\r\n"),
                                              expect("RCPT", "250 ok\r\n"),
                                              expect("DATA", "554 5.5.1 no\r\n"),
                                              expect("QUIT", "221 bye\r\n")},
            plain, cert::good, creds::password,
            failed(condition::transaction_rejected, reply(554)));
        data_refused.check = [](const outcome_data&, const script_server& srv) {
            CHECK(srv.data.empty());
            CHECK_FALSE(srv.saw("Subject:"));
        };
        hostile_case after_dot(
            "I-05 554 after the final dot: failed, kept with its diagnosis",
            plain_login() +
                std::vector<step>{expect("MAIL", "250 ok\r\n"), expect("RCPT", "250 ok\r\n"),
                                  expect("DATA", "354 go\r\n"), data("554 5.7.1 spam detected\r\n"),
                                  expect("QUIT", "221 bye\r\n")},
            plain, cert::good, creds::password, failed(condition::spam_rejected, reply(554)));
        // RFC 6531: a non-ASCII address goes out only with SMTPUTF8, and only when offered.
        hostile_case utf8_refused("non-ASCII recipient, no SMTPUTF8 offered: refused before MAIL",
                                  plain_login() + std::vector<step>{expect("QUIT", "221 bye\r\n")},
                                  plain, cert::good, creds::password,
                                  failed(condition::international_address_unsupported, reply(553)),
                                  {"MAIL", "RCPT"}, {"QUIT"});
        utf8_refused.tweak = [](sa::submit_options&, sa::message& m) {
            m.recipients = {"j\xc3\xbcrgen@beispiel.test"};
        };
        hostile_case utf8_offered(
            "non-ASCII recipient with SMTPUTF8 offered: MAIL carries SMTPUTF8",
            std::vector<step>{
                send(greeting),
                expect("EHLO client.test", "250-mx.test\r\n250-SMTPUTF8\r\n250 AUTH PLAIN\r\n"),
                expect("AUTH PLAIN ", "235 2.7.0 ok\r\n"),
                expect("MAIL FROM:<a@x.test> SMTPUTF8", "250 ok\r\n"),
                expect("RCPT TO:<j\xc3\xbcrgen@beispiel.test>", "250 ok\r\n"),
                expect("DATA", "354 go\r\n"), data("250 queued\r\n"),
                expect("QUIT", "221 bye\r\n")},
            plain, cert::good, creds::password, sent());
        utf8_offered.tweak = utf8_refused.tweak;
        // N-03: without SMTPUTF8 a non-ASCII domain goes as its A-label; a non-ASCII local
        // part cannot go at all, and nothing is sent raw.
        hostile_case idn_domain(
            "N-03 umlaut domain, no SMTPUTF8 offered: RCPT carries the A-label",
            plain_login() +
                std::vector<step>{expect("MAIL FROM:<a@x.test>", "250 ok\r\n"),
                                  expect("RCPT TO:<joerg@xn--bcher-kva.example>", "250 ok\r\n"),
                                  expect("DATA", "354 go\r\n"), data("250 queued\r\n"),
                                  expect("QUIT", "221 bye\r\n")},
            plain, cert::good, creds::password, sent(), {"MAIL FROM:<a@x.test> SMTPUTF8"});
        idn_domain.tweak = [](sa::submit_options&, sa::message& m) {
            m.recipients = {
                "joerg@B\xc3\x9c"
                "cher.example"};
        };
        idn_domain.check = [](const outcome_data& o, const script_server&) {
            REQUIRE(o.report.recipients.size() == 1);
            CHECK(o.report.recipients[0].address ==
                  "joerg@B\xc3\x9c"
                  "cher.example");
        };
        hostile_case idn_local(
            "N-03 umlaut local part and domain, no SMTPUTF8 offered: refused before MAIL",
            plain_login() + std::vector<step>{expect("QUIT", "221 bye\r\n")}, plain, cert::good,
            creds::password, failed(condition::international_address_unsupported, reply(553)),
            {"MAIL", "RCPT"}, {"QUIT"});
        idn_local.tweak = [](sa::submit_options&, sa::message& m) {
            m.recipients = {
                "j\xc3\xb6rg@b\xc3\xbc"
                "cher.example"};
        };
        hostile_case idn_other(
            "N-03 domain outside Latin-1 (or decomposed), no SMTPUTF8: refused before MAIL",
            plain_login() + std::vector<step>{expect("QUIT", "221 bye\r\n")}, plain, cert::good,
            creds::password, failed(condition::international_address_unsupported, reply(553)),
            {"MAIL", "RCPT"}, {"QUIT"});
        idn_other.tweak = [](sa::submit_options&, sa::message& m) {
            m.recipients = {
                "a@bu\xcc\x88"
                "cher.example",
                "b@\xe4\xbe\x8b.example"};
        };
        // A single recipient without an envelope form is refused at its turn, the others
        // go: pipelined, and one command at a time.
        const auto one_of_three = [](sa::submit_options&, sa::message& m) {
            m.recipients = {"b@y.test", "j\xc3\xb6rg@y.test",
                            "c@b\xc3\xbc"
                            "cher.example"};
        };
        const auto only_second_refused = [](const outcome_data& o, const script_server&) {
            REQUIRE(o.report.recipients.size() == 3);
            CHECK(o.report.recipients[0].accepted);
            CHECK_FALSE(o.report.recipients[1].accepted);
            REQUIRE(o.report.recipients[1].diagnosis);
            CHECK(o.report.recipients[1].diagnosis->condition ==
                  condition::international_address_unsupported);
            CHECK(o.report.recipients[2].accepted);
        };
        const expected partial_553{outcome::partially_sent,
                                   condition::international_address_unsupported,
                                   reply(553),
                                   false,
                                   {}};
        step idn_group;
        idn_group.expect = {"MAIL FROM:<a@x.test>", "RCPT TO:<b@y.test>",
                            "RCPT TO:<c@xn--bcher-kva.example>", "DATA"};
        idn_group.reply = "250 ok\r\n250 ok\r\n250 ok\r\n354 go\r\n";
        hostile_case idn_one_pipelined(
            "N-03 one umlaut local part among three, no SMTPUTF8, pipelined: only it refused",
            login_pipe +
                std::vector<step>{idn_group, data("250 queued\r\n"), expect("QUIT", "221 bye\r\n")},
            plain, cert::good, creds::password, partial_553, {"RCPT TO:<j"});
        idn_one_pipelined.tweak = one_of_three;
        idn_one_pipelined.check = only_second_refused;
        hostile_case idn_one(
            "N-03 one umlaut local part among three, no SMTPUTF8: only it refused",
            plain_login() +
                std::vector<step>{expect("MAIL FROM:<a@x.test>", "250 ok\r\n"),
                                  expect("RCPT TO:<b@y.test>", "250 ok\r\n"),
                                  expect("RCPT TO:<c@xn--bcher-kva.example>", "250 ok\r\n"),
                                  expect("DATA", "354 go\r\n"), data("250 queued\r\n"),
                                  expect("QUIT", "221 bye\r\n")},
            plain, cert::good, creds::password, partial_553, {"RCPT TO:<j"});
        idn_one.tweak = one_of_three;
        idn_one.check = only_second_refused;
        // One recipient a transaction: the one without an envelope form gets no transaction.
        hostile_case idn_split(
            "N-03 one umlaut local part, one recipient per transaction: no MAIL for it",
            plain_login() +
                std::vector<step>{expect("MAIL FROM:<a@x.test>", "250 ok\r\n"),
                                  expect("RCPT TO:<b@y.test>", "250 ok\r\n"),
                                  expect("DATA", "354 go\r\n"), data("250 queued\r\n"),
                                  expect("MAIL FROM:<a@x.test>", "250 ok\r\n"),
                                  expect("RCPT TO:<c@xn--bcher-kva.example>", "250 ok\r\n"),
                                  expect("DATA", "354 go\r\n"), data("250 queued\r\n"),
                                  expect("QUIT", "221 bye\r\n")},
            plain, cert::good, creds::password, partial_553, {"RCPT TO:<j", "RSET"});
        idn_split.tweak = [one_of_three](sa::submit_options& o, sa::message& m) {
            one_of_three(o, m);
            o.max_recipients_per_transaction = 1;
        };
        idn_split.check = [only_second_refused](const outcome_data& o, const script_server& srv) {
            only_second_refused(o, srv);
            CHECK(o.report.transactions == 2);
        };
        play_all({utf8_refused, utf8_offered, idn_domain, idn_local, idn_other, idn_one_pipelined,
                  idn_one, idn_split, all_refused, no_data, rset, rset_refused,
                  helo("HELO fallback after EHLO 500", "500 5.5.2 unrecognized\r\n"),
                  helo("HELO fallback after EHLO 502", "502 5.5.1 not implemented\r\n"), by_count,
                  fewer, data_refused, after_dot});
    }
}
