// smtperr — SMTP error mapping for mail clients.
// Distributed under the Boost Software License, Version 1.0.
//
// Catalogue groups A, B, C, F, H and I: odd but legal server behaviour that must not break
// a send (bare codes, unknown codes, multi-line greetings, duplicate and garbled EHLO
// keywords, a long AUTH list, enhanced codes missing or differing between lines, empty
// SASL challenges), recipient limits that must not loop, and body transparency.

#include <smtperr/classify/sasl.hpp>

#include <doctest/doctest.h>

#include <string>

#include "integration/hostile/hostile.hpp"

namespace {

using namespace smtperr::hostile;
using smtperr::condition;
using smtperr::errc;
using smtperr::outcome;

constexpr auto plain = sa::tls_mode::none;

// Greeting, then EHLO answered with `ehlo` (which must offer AUTH PLAIN), AUTH, a message.
std::vector<step> with_ehlo(std::string ehlo) {
    return std::vector<step>{send(greeting), expect("EHLO client.test", std::move(ehlo)),
                             expect("AUTH PLAIN ", "235 2.7.0 ok\r\n")} +
           transaction();
}

// MAIL, RCPT and DATA answered with `mail`, `rcpt` and `data`, the final dot with `end`.
std::vector<step> replies(std::string mail, std::string rcpt, std::string data_reply,
                          std::string end) {
    return plain_login() + std::vector<step>{expect("MAIL FROM:<a@x.test>", std::move(mail)),
                                             expect("RCPT TO:<b@y.test>", std::move(rcpt)),
                                             expect("DATA", std::move(data_reply)),
                                             data(std::move(end)), expect("QUIT", "221 bye\r\n")};
}

std::size_t count_lines(const script_server& srv, std::string_view prefix) {
    std::size_t n = 0;
    for (const auto& l : srv.lines) {
        n += script_server::starts_with(l, prefix) ? 1U : 0U;
    }
    return n;
}

std::string numbered(std::size_t i) {
    return "r" + std::to_string(i) + "@y.test";
}

}  // namespace

TEST_SUITE("hostile") {
    TEST_CASE("A-08/A-09/B-02/B-03: odd but valid replies carry the message") {
        hostile_case bare("A-09 bare codes: 250, '250 ' and 354 without text",
                          replies("250\r\n", "250 \r\n", "354\r\n", "250\r\n"), plain, cert::good,
                          creds::password, sent());
        hostile_case unknown_2yz(
            "A-08 299 to MAIL and 260 to RCPT are successes",
            replies("299 ok\r\n", "260 fine\r\n", "354 go\r\n", "250 queued\r\n"), plain,
            cert::good, creds::password, sent());
        hostile_case unknown_4yz("A-08 459 to RCPT: a temporary failure by its first digit",
                                 rcpt_reply("459 x\r\n"), plain, cert::good, creds::password,
                                 deferred(condition::transient_failure, reply(459)), {"DATA"});
        hostile_case unknown_5yz(
            "A-08 558 to the final dot: a permanent failure by its first digit",
            replies("250 ok\r\n", "250 ok\r\n", "354 go\r\n", "558 x\r\n"), plain, cert::good,
            creds::password, failed(condition::permanent_failure, reply(558)));
        hostile_case digits(
            "B-02 a continuation line whose text starts with digits",
            with_ehlo(
                "250-First line\r\n250-234 Text beginning with numbers\r\n250 AUTH PLAIN\r\n"),
            plain, cert::good, creds::password, sent());
        hostile_case greeting3(
            "B-03 a three-line greeting is one greeting",
            std::vector<step>{send("220-mx.example ESMTP\r\n220-policy text\r\n220 ready\r\n"),
                              expect("EHLO client.test", ehlo_auth),
                              expect("AUTH PLAIN ", "235 2.7.0 ok\r\n")} +
                transaction(),
            plain, cert::good, creds::password, sent());
        greeting3.check = [](const outcome_data&, const script_server& srv) {
            CHECK(count_lines(srv, "EHLO") == 1);  // One greeting: one EHLO.
        };
        play_all({bare, unknown_2yz, unknown_4yz, unknown_5yz, digits, greeting3});
    }

    TEST_CASE("B-04/B-06: duplicate, garbled and long EHLO keyword lists") {
        hostile_case dup("B-04 duplicate AUTH lines, a SIZE with an escape, lower-case keywords",
                         with_ehlo("250-mx\r\n250-auth LOGIN\r\n250-AUTH PLAIN\r\n"
                                   "250-SIZE \x1b[2J\r\n250-AUTH  XOAUTH2\r\n250 8bitmime\r\n"),
                         plain, cert::good, creds::password, sent(), {}, {"AUTH PLAIN"});
        std::string many = "250-mx.test\r\n250-AUTH";
        for (int i = 0; i < 70; ++i) {
            many += " X-MECH-" + std::to_string(i);
        }
        many += " 0SNET ANONYMOUS CRAM-MD5 PLAIN XYMYCONNECT\r\n250 ENHANCEDSTATUSCODES\r\n";
        hostile_case longlist("B-06 seventy-five mechanisms, PLAIN near the end", with_ehlo(many),
                              plain, cert::good, creds::password, sent(), {"AUTH CRAM-MD5"},
                              {"AUTH PLAIN"});
        play_all({dup, longlist});
    }

    TEST_CASE("C-04/C-05: enhanced codes that differ between lines, or are missing") {
        hostile_case differ("C-04 550-5.1.1 then 550 5.7.1: the first line's code decides",
                            rcpt_reply("550-5.1.1 a\r\n550 5.7.1 b\r\n"), plain, cert::good,
                            creds::password, failed(condition::recipient_unknown, reply(550)),
                            {"DATA"});
        hostile_case missing("C-05 ENHANCEDSTATUSCODES offered, replies without them",
                             rcpt_reply("550 No such user here\r\n"), plain, cert::good,
                             creds::password, failed(condition::recipient_unknown, reply(550)),
                             {"DATA"});
        play_all({differ, missing});
    }

    TEST_CASE("F-03/F-11: empty SASL challenges, and AUTH alone in its group") {
        const std::string user64 = smtperr::base64_encode(user);
        const std::string pw64 = smtperr::base64_encode(canary_password);
        hostile_case empty(
            "F-03 LOGIN with '334 ' and a bare '334'",
            std::vector<step>{send(greeting),
                              expect("EHLO client.test", "250-mx.test\r\n250 AUTH LOGIN\r\n"),
                              expect("AUTH LOGIN", "334 \r\n"), expect(user64, "334\r\n"),
                              expect(pw64, "235 2.7.0 ok\r\n")} +
                transaction(),
            plain, cert::good, creds::password, sent());
        empty.tweak = [](sa::submit_options& o, sa::message&) {
            o.mechanisms = {sa::sasl_mechanism::login};
        };
        empty.check = [pw64](const outcome_data&, const script_server& srv) {
            CHECK(count_lines(srv, pw64) == 1);
        };
        // F-11: with PIPELINING, AUTH ends its group: MAIL waits for the 235.
        hostile_case alone("F-11 AUTH is never pipelined with what follows it",
                           with_ehlo("250-mx.test\r\n250-PIPELINING\r\n250 AUTH PLAIN\r\n"), plain,
                           cert::good, creds::password, sent());
        alone.check = [](const outcome_data&, const script_server& srv) {
            // Step 3 (MAIL and what is pipelined with it) needed a read of its own: nothing of
            // it had arrived with the AUTH line.
            REQUIRE(srv.reads_per_step.size() > 3);
            CHECK(srv.reads_per_step[3] >= 1);
        };
        play_all({empty, alone});
    }

    TEST_CASE("H-05/H-06: recipient limits end, never loop") {
        // RFC 5321 §4.5.3.1.10: a 552 for "too many recipients" is taken as the 452 it
        // should have been; the recipients beyond the limit go in a further transaction.
        std::vector<step> first = plain_login();
        first.push_back(expect("MAIL FROM:<a@x.test>", "250 ok\r\n"));
        for (std::size_t i = 0; i < 100; ++i) {
            first.push_back(expect("RCPT TO:<" + numbered(i) + ">", "250 ok\r\n"));
        }
        first.push_back(
            expect("RCPT TO:<" + numbered(100) + ">", "552 5.5.3 Too many recipients\r\n"));
        first.push_back(expect("DATA", "354 go\r\n"));
        first.push_back(data("250 queued\r\n"));
        first.push_back(expect("MAIL FROM:<a@x.test>", "250 ok\r\n"));
        first.push_back(expect("RCPT TO:<" + numbered(100) + ">", "250 ok\r\n"));
        first.push_back(expect("DATA", "354 go\r\n"));
        first.push_back(data("250 queued\r\n"));
        first.push_back(expect("QUIT", "221 bye\r\n"));
        hostile_case limit552("H-05 552 after 100 RCPTs: the 101st goes in a second transaction",
                              first, plain, cert::good, creds::password, sent());
        limit552.tweak = [](sa::submit_options&, sa::message& m) {
            m.recipients.clear();
            for (std::size_t i = 0; i <= 100; ++i) {
                m.recipients.push_back(numbered(i));
            }
        };
        limit552.check = [](const outcome_data& r, const script_server& srv) {
            CHECK(count_lines(srv, "MAIL FROM") == 2);
            CHECK(r.report.recipients.size() == 101);
        };

        hostile_case first452("H-06 452 on the only RCPT: deferred once, no split loop",
                              rcpt_reply("452 4.5.3 Too many recipients\r\n"), plain, cert::good,
                              creds::password, deferred(condition::too_many_recipients, reply(452)),
                              {"DATA"});
        first452.check = [](const outcome_data& r, const script_server& srv) {
            CHECK(count_lines(srv, "RCPT") == 1);
            CHECK(r.report.deciding.action == smtperr::action::retry_later);
        };
        hostile_case first552(
            "H-06 552 too many recipients on the only RCPT: taken as 452, deferred",
            rcpt_reply("552 5.5.3 Too many recipients\r\n"), plain, cert::good, creds::password,
            deferred(condition::too_many_recipients, reply(552)), {"DATA"});
        first552.check = first452.check;
        play_all({limit552, first452, first552});
    }

    TEST_CASE("I-03: the body goes out CRLF only, dot-stuffed, with one end marker") {
        hostile_case body("I-03 dot lines, bare LF and CR, and no final line end",
                          replies("250 ok\r\n", "250 ok\r\n", "354 go\r\n", "250 queued\r\n"),
                          plain, cert::good, creds::password, sent());
        body.tweak = [](sa::submit_options&, sa::message& m) {
            m.body = "Subject: x\r\n\r\n.\r\n..x\r\n.\rmid\n.\nlast\r.\r\n.\r\nend";
        };
        body.check = [](const outcome_data&, const script_server& srv) {
            CHECK(srv.data ==
                  "Subject: x\r\n\r\n..\r\n...x\r\n..\r\nmid\r\n..\r\nlast\r\n..\r\n..\r\n"
                  "end\r\n.\r\n");
            // No smuggled end of data: the marker occurs once, at the end.
            CHECK(srv.data.find("\r\n.\r\n") == srv.data.size() - 5);
            CHECK(srv.data.find("\n.\n") == std::string::npos);
            CHECK(srv.data.find("\r.\r") == std::string::npos);
        };
        play_all({body});
    }
}
