// smtperr — SMTP error mapping for mail clients.
// Distributed under the Boost Software License, Version 1.0.
//
// Catalogue groups J and H: a server that stalls at every phase (per-phase timeouts, set
// short here), drips a reply byte by byte, answers 421 and closes at every phase, or closes
// without a word after every command (J-11).

#include <doctest/doctest.h>

#include "integration/hostile/hostile.hpp"

namespace {

using namespace smtperr::hostile;
using smtperr::condition;
using smtperr::errc;
using smtperr::outcome;

constexpr auto plain = sa::tls_mode::none;
constexpr auto starttls = sa::tls_mode::starttls;

expected timed_out() {
    return deferred(condition::timed_out, transport(errc::timed_out));
}

// Short timeouts keep the suite fast; generous enough for a loaded machine.
void short_timeouts(sa::submit_options& o, sa::message&) {
    all_timeouts(o, 600ms);
}

hostile_case stall(std::string name, std::vector<step> script, expected want,
                   std::vector<std::string> never = {}, sa::tls_mode tls = plain) {
    hostile_case c(std::move(name), std::move(script), tls, cert::good, creds::password,
                   std::move(want), std::move(never));
    c.tweak = short_timeouts;
    return c;
}

step nothing() {
    step s;
    s.silent = true;
    return s;
}

// A 421 and a close in answer to the last command of `before`.
hostile_case closing_421(std::string name, std::vector<step> before, std::string cmd,
                         std::vector<std::string> never, sa::tls_mode tls = plain) {
    before.push_back(closing(expect(std::move(cmd), "421 4.3.2 shutting down, try later\r\n")));
    return {
        std::move(name), std::move(before), tls,
        cert::good,      creds::password,   deferred(condition::service_unavailable, reply(421)),
        std::move(never)};
}

const std::vector<step> mail_ok = {expect("MAIL", "250 ok\r\n")};
const std::vector<step> rcpt_ok = {expect("MAIL", "250 ok\r\n"), expect("RCPT", "250 ok\r\n")};
const std::vector<step> data_ok = {expect("MAIL", "250 ok\r\n"), expect("RCPT", "250 ok\r\n"),
                                   expect("DATA", "354 go\r\n")};

}  // namespace

TEST_SUITE("hostile") {
    TEST_CASE("J-04/J-05: a stall at every phase times out, never hangs") {
        // The server stops reading during DATA: the client's writes block.
        step no_read;
        no_read.delay = 20s;
        auto big = stall("J-05 stall while the message data is written",
                         plain_login() + data_ok + std::vector<step>{no_read}, timed_out());
        big.tweak = [](sa::submit_options& o, sa::message& m) {
            all_timeouts(o, 600ms);
            m.body = std::string(32u << 20, 'x');  // More than the socket buffers hold.
        };
        // 30 s of one byte every 100 ms, each well within the timeout: only a deadline for
        // the whole reply ends it early.
        std::vector<step> drip = {};
        for (const char c : "220-mx.test ESMTP\r\n220-" + std::string(280, 'x')) {
            step s = send(std::string(1, c));
            s.delay = 100ms;
            drip.push_back(s);
        }
        auto dripping =
            stall("J-05 greeting dripped a byte at a time", drip, timed_out(), {"EHLO"});
        dripping.check = [n = drip.size()](const outcome_data&, const script_server& srv) {
            CHECK(srv.reads_per_step.size() < n / 2);  // The client left long before the end.
        };
        std::vector<hostile_case> cases = {
            stall("J-04 no greeting", {nothing()}, timed_out(), {"EHLO"}),
            dripping,
            stall("stall after EHLO", {send(greeting), silent("EHLO")}, timed_out(), {"AUTH"}),
            stall("stall after STARTTLS",
                  {send(greeting), expect("EHLO", ehlo_starttls), silent("STARTTLS")}, timed_out(),
                  {"AUTH", "MAIL"}, starttls),
            stall("stall in the TLS handshake",
                  {send(greeting), expect("EHLO", ehlo_starttls), expect("STARTTLS", "220 go\r\n"),
                   silent("never")},
                  timed_out(), {"AUTH", "MAIL"}, starttls),
            stall("F-10 stall after AUTH PLAIN",
                  {send(greeting), expect("EHLO", ehlo_auth), silent("AUTH")}, timed_out(),
                  {"MAIL"}),
            stall("stall after the AUTH LOGIN user name",
                  {send(greeting), expect("EHLO", "250-mx.test\r\n250 AUTH LOGIN\r\n"),
                   expect("AUTH LOGIN", "334 VXNlcm5hbWU6\r\n"), silent("")},
                  timed_out(), {"MAIL"}),
            stall("stall after MAIL", plain_login() + std::vector<step>{silent("MAIL")},
                  timed_out(), {"RCPT"}),
            stall("stall after RCPT", plain_login() + mail_ok + std::vector<step>{silent("RCPT")},
                  timed_out(), {"DATA"}),
            stall("stall after DATA (no 354)",
                  plain_login() + rcpt_ok + std::vector<step>{silent("DATA")}, timed_out()),
            stall("I-04 stall after the final dot: possibly delivered",
                  plain_login() + data_ok + std::vector<step>{nothing()},
                  {outcome::failed, condition::timed_out, transport(errc::timed_out), true, {}}),
            stall("J-10 stall after QUIT: the message stays sent",
                  plain_login() + data_ok +
                      std::vector<step>{data("250 2.0.0 queued\r\n"), silent("QUIT")},
                  sent()),
            big,
        };
        cases[4].script_followed = false;  // The server reads the ClientHello as a "line".
        play_all(cases);
    }

    TEST_CASE("H-08: 421 and a close at every phase is service_unavailable, retried") {
        const std::vector<step> login = plain_login();
        std::vector<hostile_case> cases = {
            {"H-08 421 greeting",
             {closing(send("421 4.3.2 busy\r\n"))},
             plain,
             cert::good,
             creds::password,
             deferred(condition::service_unavailable, reply(421)),
             {"EHLO"}},
            closing_421("H-08 421 to EHLO", {send(greeting)}, "EHLO", {"AUTH", "HELO"}),
            closing_421("H-08 421 to STARTTLS", {send(greeting), expect("EHLO", ehlo_starttls)},
                        "STARTTLS", {"AUTH", "MAIL"}, starttls),
            closing_421("H-08 421 to AUTH", {send(greeting), expect("EHLO", ehlo_auth)}, "AUTH",
                        {"MAIL"}),
            closing_421("H-08 421 to MAIL", login, "MAIL", {"RCPT"}),
            closing_421("H-08 421 to RCPT", login + mail_ok, "RCPT", {"DATA"}),
            closing_421("H-08 421 to DATA", login + rcpt_ok, "DATA", {}),
            closing_421("H-08 421 to the pipelined group",
                        {send(greeting),
                         expect("EHLO", "250-mx.test\r\n250-PIPELINING\r\n250 AUTH PLAIN\r\n"),
                         expect("AUTH", "235 ok\r\n")},
                        "MAIL", {}),
        };
        // After the final dot: the server said 421, so nothing was delivered.
        hostile_case dot(
            "H-08 421 after the final dot (not possibly delivered)",
            login + data_ok + std::vector<step>{closing(data("421 4.3.2 shutting down\r\n"))},
            plain, cert::good, creds::password,
            deferred(condition::service_unavailable, reply(421)));
        cases.push_back(dot);
        play_all(cases);
    }

    TEST_CASE("J-11: the connection closed after every command, over STARTTLS") {
        // The whole session; case k reads the first k commands, answers all but the last,
        // then closes without a word (TLS without close_notify from the second EHLO on).
        const std::vector<step> full = {send(greeting),
                                        expect("EHLO client.test", ehlo_starttls),
                                        tls(expect("STARTTLS", "220 2.0.0 go ahead\r\n")),
                                        expect("EHLO client.test", ehlo_auth),
                                        expect("AUTH PLAIN ", "235 2.7.0 ok\r\n"),
                                        expect("MAIL FROM:<a@x.test>", "250 2.1.0 ok\r\n"),
                                        expect("RCPT TO:<b@y.test>", "250 2.1.5 ok\r\n"),
                                        expect("DATA", "354 go\r\n"),
                                        data("250 2.0.0 queued\r\n"),
                                        expect("QUIT", "221 2.0.0 bye\r\n")};
        const expected lost =
            deferred(condition::connection_lost, transport(errc::connection_lost));
        std::vector<hostile_case> cases;
        cases.push_back({"J-11 closed before the greeting",
                         {closing(send(""))},
                         starttls,
                         cert::good,
                         creds::password,
                         lost,
                         {"EHLO"}});
        for (std::size_t k = 1; k < full.size(); ++k) {
            std::vector<step> script(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(k));
            step last = full[k];
            last.reply.clear();
            last.starttls = false;
            script.push_back(closing(last));
            const bool after_dot = full[k].data;
            const bool at_quit = k + 1 == full.size();
            // Past the final dot the message may have arrived; past its 250 it is sent.
            const expected want = at_quit ? sent() : after_dot ? lost_after_dot() : lost;
            cases.push_back({"J-11 closed unanswered, step " + std::to_string(k) + ": " +
                                 (after_dot ? std::string("the final dot") : full[k].expect[0]),
                             std::move(script), starttls, cert::good, creds::password, want});
        }
        play_all(cases);
    }
}
