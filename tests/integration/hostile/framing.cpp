// smtperr — SMTP error mapping for mail clients.
// Distributed under the Boost Software License, Version 1.0.
//
// Catalogue groups A, B and J: reply framing from a hostile server (overlong lines,
// endless multi-line replies, mismatched codes, NUL, bare CR, codes out of range,
// unsolicited replies) and EOF in the middle of a reply.

#include <doctest/doctest.h>

#include "integration/hostile/hostile.hpp"

namespace {

using namespace smtperr::hostile;
using smtperr::condition;
using smtperr::errc;
using smtperr::outcome;

constexpr auto plain = sa::tls_mode::none;

expected violation() {
    return deferred(condition::protocol_violation, transport(errc::protocol_violation));
}
expected lost() {
    return deferred(condition::connection_lost, transport(errc::connection_lost));
}

std::string repeat(std::string_view s, std::size_t n) {
    std::string r;
    for (std::size_t i = 0; i < n; ++i) {
        r += s;
    }
    return r;
}

// Greeting, EHLO, AUTH, then `reply` to MAIL.
std::vector<step> at_mail(std::string reply) {
    return plain_login() + std::vector<step>{expect("MAIL FROM:<a@x.test>", std::move(reply))};
}
// … then RCPT accepted, and `reply` to `cmd` (DATA, say).
std::vector<step> at_rcpt_then(std::string cmd, std::string reply) {
    return plain_login() + std::vector<step>{expect("MAIL FROM:<a@x.test>", "250 ok\r\n"),
                                             expect("RCPT TO:<b@y.test>", "250 ok\r\n"),
                                             expect(std::move(cmd), std::move(reply)),
                                             expect("QUIT", "221 bye\r\n")};
}

}  // namespace

TEST_SUITE("hostile") {
    TEST_CASE("A/B: malformed and unbounded replies end the session as protocol_violation") {
        std::vector<hostile_case> cases = {
            {"A-02 overlong greeting line (9000 octets)",
             {send("220 " + std::string(9000, 'x') + "\r\n")},
             plain,
             cert::good,
             creds::password,
             violation(),
             {"EHLO", "AUTH"}},
            {"A-02 endless EHLO line without CRLF",
             {send(greeting), expect("EHLO", "250 " + std::string(100000, 'x'))},
             plain,
             cert::good,
             creds::password,
             violation(),
             {"AUTH", "MAIL"}},
            {"A-02 overlong line in the RCPT reply",
             rcpt_reply("550 " + std::string(9000, 'y') + "\r\n"),
             plain,
             cert::good,
             creds::password,
             violation(),
             {"DATA"}},
            {"A-03 endless multi-line EHLO reply",
             {send(greeting), expect("EHLO", repeat("250-x\r\n", 20000))},
             plain,
             cert::good,
             creds::password,
             violation(),
             {"AUTH", "MAIL"}},
            {"A-03 endless multi-line MAIL reply",
             at_mail(repeat("250-ok\r\n", 20000)),
             plain,
             cert::good,
             creds::password,
             violation(),
             {"RCPT", "DATA"}},
            {"B-01 mismatched continuation code in EHLO",
             {send(greeting), expect("EHLO", "250-mx.test\r\n251 AUTH PLAIN\r\n")},
             plain,
             cert::good,
             creds::password,
             violation(),
             {"AUTH", "MAIL"}},
            {"B-01 421 continued as 250 at MAIL",
             at_mail("421-closing\r\n250 ok\r\n"),
             plain,
             cert::good,
             creds::password,
             violation(),
             {"RCPT", "DATA"}},
            {"A-11 NUL byte in the greeting",
             {send(std::string("220 mx\0.test\r\n", 14))},
             plain,
             cert::good,
             creds::password,
             violation(),
             {"EHLO"}},
            {"A-11 NUL byte in the RCPT reply",
             rcpt_reply(std::string("550 a\0b\r\n", 9)),
             plain,
             cert::good,
             creds::password,
             violation(),
             {"DATA"}},
            {"A-07 code out of range at MAIL (600)",
             at_mail("600 what\r\n"),
             plain,
             cert::good,
             creds::password,
             violation(),
             {"RCPT", "DATA"}},
            {"A-06 greeting that is not a code",
             {send("abc\r\n")},
             plain,
             cert::good,
             creds::password,
             violation(),
             {"EHLO"}},
            {"A-06 EHLO reply with a leading space",
             {send(greeting), expect("EHLO", " 250 mx.test\r\n")},
             plain,
             cert::good,
             creds::password,
             violation(),
             {"AUTH", "MAIL"}},
            {"A-12 unsolicited second reply to MAIL",
             at_mail("250 ok\r\n250 surprise\r\n"),
             plain,
             cert::good,
             creds::password,
             violation(),
             {"RCPT", "DATA"}},
        };
        play_all(cases);
    }

    TEST_CASE("A-10: a bare CR is text, never a line end, and never reaches a UI string") {
        hostile_case greet{"A-10 bare CR inside the greeting",
                           std::vector<step>{send("220 mx.test\rINJECTED ESMTP\r\n"),
                                             expect("EHLO client.test", ehlo_auth),
                                             expect("AUTH PLAIN ", "235 ok\r\n")} +
                               transaction(),
                           plain,
                           cert::good,
                           creds::password,
                           sent()};
        greet.check = [](const outcome_data& r, const script_server&) {
            // The transcript escapes it: a log cannot be rewritten by the server.
            CHECK(r.transcript.find("\rINJECTED") == std::string::npos);
            CHECK(r.transcript.find("\\x0dINJECTED") != std::string::npos);
        };
        hostile_case rcpt{"A-10 bare CR hides a forged 250 inside a 550",
                          rcpt_reply("550 5.1.1 unknown user\r250 2.1.5 ok\r\n"),
                          plain,
                          cert::good,
                          creds::password,
                          failed(condition::recipient_unknown, reply(550)),
                          {"DATA"}};
        rcpt.check = [](const outcome_data& r, const script_server&) {
            CHECK(r.report.deciding.server_text == "unknown user 250 2.1.5 ok");
        };
        play_all({greet, rcpt});
    }

    TEST_CASE("B-05/H-03/I-02: odd replies that parse are read as what they are") {
        auto with_ehlo = [](std::string ehlo) {
            return std::vector<step>{send(greeting), expect("EHLO client.test", std::move(ehlo)),
                                     expect("AUTH PLAIN ", "235 2.7.0 ok\r\n")} +
                   transaction();
        };
        step group;  // MAIL, RCPT and DATA in one write; a two-line reply to MAIL.
        group.expect = {"MAIL FROM:<a@x.test>", "RCPT TO:<b@y.test>", "DATA"};
        group.reply = "250-2.1.0 sender\r\n250 2.1.0 ok\r\n250 2.1.5 ok\r\n354 go\r\n";
        hostile_case data_250{"I-02 DATA answered 250: a protocol violation, no message data",
                              at_rcpt_then("DATA", "250 2.0.0 go ahead\r\n"),
                              plain,
                              cert::good,
                              creds::password,
                              violation(),
                              {"RSET"},
                              {"QUIT"}};
        data_250.check = [](const outcome_data& r, const script_server& srv) {
            CHECK(srv.data.empty());
            CHECK(r.report.deciding.phase == smtperr::phase::data);
            CHECK_FALSE(r.report.possibly_delivered);
        };
        play_all({
            {"B-05 SIZE beyond 64 bits: no limit known, the message goes out",
             with_ehlo("250-mx.test\r\n250-SIZE 99999999999999999999999\r\n250 AUTH PLAIN\r\n"),
             plain, cert::good, creds::password, sent()},
            {"B-05 SIZE -1: no limit known",
             with_ehlo("250-mx.test\r\n250-SIZE -1\r\n250 AUTH PLAIN\r\n"), plain, cert::good,
             creds::password, sent()},
            {"B-05 SIZE 1e9: no limit known",
             with_ehlo("250-mx.test\r\n250-SIZE 1e9\r\n250 AUTH PLAIN\r\n"), plain, cert::good,
             creds::password, sent()},
            {"H-03 a multi-line reply to MAIL inside a pipelined group counts once",
             {send(greeting),
              expect("EHLO client.test", "250-mx.test\r\n250-PIPELINING\r\n250 AUTH PLAIN\r\n"),
              expect("AUTH PLAIN ", "235 2.7.0 ok\r\n"), group, data("250 2.0.0 queued\r\n"),
              expect("QUIT", "221 2.0.0 bye\r\n")},
             plain,
             cert::good,
             creds::password,
             sent()},
            data_250,
        });
    }

    TEST_CASE("A-05/J-06/J-07: EOF in the middle of a reply") {
        std::vector<hostile_case> cases = {
            {"A-05 greeting \"25\" then EOF",
             {closing(send("25"))},
             plain,
             cert::good,
             creds::password,
             lost(),
             {"EHLO"}},
            {"J-06 EOF inside a multi-line EHLO reply",
             {send(greeting), closing(expect("EHLO", "250-mx.test\r\n250-PIPELIN"))},
             plain,
             cert::good,
             creds::password,
             lost(),
             {"AUTH", "MAIL"}},
            {"J-06 EOF inside the RCPT reply",
             plain_login() + std::vector<step>{expect("MAIL", "250 ok\r\n"),
                                               closing(expect("RCPT", "550 5.1.1 unkn"))},
             plain,
             cert::good,
             creds::password,
             lost(),
             {"DATA"}},
            {"J-07 partial 250 after the final dot, then EOF: possibly delivered",
             plain_login() + std::vector<step>{expect("MAIL", "250 ok\r\n"),
                                               expect("RCPT", "250 ok\r\n"),
                                               expect("DATA", "354 go\r\n"),
                                               closing(data("250 2.0.0 OK queued as 12"))},
             plain, cert::good, creds::password, lost_after_dot()},
            {"I-04 reset after the final dot: possibly delivered",
             plain_login() + std::vector<step>{expect("MAIL", "250 ok\r\n"),
                                               expect("RCPT", "250 ok\r\n"),
                                               expect("DATA", "354 go\r\n"), closing(data(""))},
             plain, cert::good, creds::password, lost_after_dot()},
        };
        play_all(cases);
    }
}
