// The scenario server (examples/scenario_server.hpp) with the outbox and async_submit, as the
// send-pipeline example runs them, checked from the server's side: what reached it, in
// which order, on which connection, and when the outbox let a retry go.

#include <smtperr/asio/submit.hpp>
#include <smtperr/pipeline/outbox.hpp>

#include <boost/asio/io_context.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "scenario_server.hpp"

namespace {

namespace net = boost::asio;
namespace sa = smtperr::asio;
using namespace std::chrono_literals;

struct run_result {
    std::vector<std::string> events;  // event names, in order
    std::vector<smtperr::send_report> attempts;
    std::optional<smtperr::send_report> final_report;
    std::vector<std::string> server;  // the server's transcript
    unsigned connections = 0;
    std::vector<std::chrono::seconds> waits;  // from a round to the retry it scheduled
    bool retry_held_back = true;              // take_due() gave nothing a second before each retry
};

std::string message_of(const smtperr::demo::scenario& sc) {
    std::string m = "Subject: test\r\n\r\n.a line that needs dot-stuffing\r\n";
    while (m.size() + 80 <= sc.message_bytes) {
        m += std::string(78, 'y') + "\r\n";
    }
    return m;
}

// Runs one scenario to its end: the user answers credentials_required as the scenario says,
// the clock jumps to each scheduled retry (after checking nothing is due a second earlier).
run_result run(const std::string& id) {
    const auto sc = smtperr::demo::find_scenario(id);
    REQUIRE(sc);
    net::io_context ioc;
    net::ssl::context tls(net::ssl::context::tls_client);
    smtperr::demo::scenario_server server(ioc, *sc);
    run_result res;

    auto now = std::chrono::system_clock::time_point(std::chrono::hours(24 * 20000));
    sa::credentials creds{sc->from, sc->password, sc->token};
    std::deque<std::function<void()>> ui;
    smtperr::outbox* box = nullptr;
    smtperr::outbox_options options;
    options.clock = [&now] { return now; };
    smtperr::outbox outbox(
        options,
        [&](const smtperr::event& e) {
            if (std::holds_alternative<smtperr::system_message_event>(e)) {
                res.events.emplace_back("system_message");
            } else if (std::holds_alternative<smtperr::credentials_required_event>(e)) {
                res.events.emplace_back("credentials_required");
                if (!sc->new_password.empty() || !sc->new_token.empty()) {
                    creds.password = sc->new_password;
                    creds.oauth_token = sc->new_token;
                    box->credentials_updated(
                        std::get<smtperr::credentials_required_event>(e).account);
                }
            } else if (std::holds_alternative<smtperr::retry_scheduled_event>(e)) {
                res.events.emplace_back("retry_scheduled");
            } else if (std::holds_alternative<smtperr::recipients_rejected_event>(e)) {
                res.events.emplace_back("recipients_rejected");
            } else if (const auto* r = std::get_if<smtperr::report_event>(&e)) {
                res.events.emplace_back("report");
                res.final_report = r->report;
            } else {
                res.events.emplace_back("token_refresh_required");
            }
        },
        [&ui](std::function<void()> f) { ui.push_back(std::move(f)); });
    box = &outbox;
    REQUIRE(outbox.enqueue(sc->id, sc->from, sc->recipients));
    const std::string body = message_of(*sc);
    auto drain = [&ui] {
        while (!ui.empty()) {
            auto f = std::move(ui.front());
            ui.pop_front();
            f();
        }
    };

    for (int round = 0; round < 8 && outbox.size() > 0; ++round) {
        const auto due = outbox.take_due();
        drain();
        for (const auto& d : due) {
            sa::submit_options opt;
            opt.host = "127.0.0.1";
            opt.port = server.port();
            opt.tls = sa::tls_mode::none;
            opt.allow_plaintext_auth = true;
            opt.credentials = creds;
            auto& t = opt.timeouts;
            t.connect = t.greeting = t.ehlo = t.auth = t.mail = t.rcpt = t.data_init =
                t.data_block = t.data_end = t.quit = 10s;
            std::optional<smtperr::send_report> report;
            sa::async_submit(ioc, tls, opt, sa::message{sc->from, d.recipients, body},
                             [&](boost::system::error_code ec, smtperr::send_report r) {
                                 REQUIRE_FALSE(ec);
                                 report = std::move(r);
                             });
            while (!report) {  // The server's accept loop keeps the io_context busy.
                ioc.run_one();
            }
            res.attempts.push_back(*report);
            outbox.complete(d.id, *report);
            drain();
        }
        if (due.empty()) {
            const auto next = outbox.next_wakeup();
            if (!next) {
                break;
            }
            res.waits.push_back(std::chrono::duration_cast<std::chrono::seconds>(*next - now));
            now = *next - 1s;
            res.retry_held_back = res.retry_held_back && outbox.take_due().empty();
            now = *next;
        }
    }
    server.stop();
    ioc.restart();
    ioc.run();
    res.server = server.transcript();
    res.connections = server.connections();
    return res;
}

std::size_t count_prefix(const std::vector<std::string>& lines, std::string_view prefix) {
    return static_cast<std::size_t>(std::count_if(
        lines.begin(), lines.end(), [&](const std::string& l) { return l.rfind(prefix, 0) == 0; }));
}

// The server's replies to AUTH, in order ("535", "235", …).
std::vector<std::string> auth_replies(const std::vector<std::string>& server) {
    std::vector<std::string> out;
    for (std::size_t i = 0; i + 1 < server.size(); ++i) {
        if (server[i].rfind("C: AUTH", 0) == 0) {
            out.push_back(server[i + 1].substr(3, 3));
        }
    }
    return out;
}

using names = std::vector<std::string>;

}  // namespace

TEST_SUITE("examples/scenario_server") {
    TEST_CASE("Gmail: 534 5.7.9, one prompt, then the app password is accepted") {
        const auto r = run("gmail_app_password");
        CHECK(r.events == names{"system_message", "credentials_required", "report"});
        CHECK(auth_replies(r.server) == names{"534", "235"});
        CHECK(r.connections == 2);
        REQUIRE(r.final_report);
        CHECK(r.final_report->outcome == smtperr::outcome::sent);
        CHECK(r.attempts.front().deciding.condition == smtperr::condition::app_password_required);
        CHECK(r.attempts.front().deciding.provider == "gmail");
    }

    TEST_CASE("Microsoft: basic auth disabled, the password is not tried again, XOAUTH2 is") {
        const auto r = run("microsoft_basic_auth_disabled");
        CHECK(auth_replies(r.server) == names{"535", "235"});
        CHECK(count_prefix(r.server, "C: AUTH LOGIN") == 1);
        CHECK(count_prefix(r.server, "C: AUTH XOAUTH2") == 1);
        CHECK(r.attempts.front().deciding.condition == smtperr::condition::basic_auth_disabled);
        CHECK(r.attempts.front().deciding.provider == "microsoft");
        REQUIRE(r.final_report);
        CHECK(r.final_report->outcome == smtperr::outcome::sent);
    }

    TEST_CASE("a wrong password: one 535, never the same password twice, then sent") {
        const auto r = run("wrong_then_new_password");
        CHECK(auth_replies(r.server) == names{"535", "235"});
        CHECK(count_prefix(r.events, "credentials_required") == 1);
        // Nothing of the transaction after the 535: the first session ends with QUIT.
        CHECK(count_prefix(r.server, "C: MAIL") == 1);
        REQUIRE(r.final_report);
        CHECK(r.final_report->outcome == smtperr::outcome::sent);
    }

    TEST_CASE("greylisting: the retry waits for the scheduled time and goes out") {
        const auto r = run("greylisting");
        CHECK(r.events == names{"retry_scheduled", "system_message", "report"});
        // The scheduled wait is the greylisting hint, five minutes exactly: the hint is a floor,
        // and the first retry's jittered backoff (60 s ± 20 %) is shorter.
        REQUIRE(r.waits.size() == 1);
        CHECK(r.waits[0] == 5min);
        CHECK(r.retry_held_back);
        CHECK(r.connections == 2);
        CHECK(count_prefix(r.server, "S: 450 4.2.0") == 1);
        // RFC 2920: DATA was in the pipelined group, refused with no valid recipients.
        CHECK(count_prefix(r.server, "S: 554 5.5.1") == 1);
        CHECK(count_prefix(r.server, "C: <data,") == 1);
        REQUIRE(r.final_report);
        CHECK(r.final_report->outcome == smtperr::outcome::sent);
    }

    TEST_CASE("one unknown recipient among three: one transaction, two delivered") {
        const auto r = run("unknown_recipient");
        CHECK(r.connections == 1);
        CHECK(count_prefix(r.server, "C: RCPT TO:") == 3);
        CHECK(count_prefix(r.server, "C: <data,") == 1);
        REQUIRE(r.final_report);
        CHECK(r.final_report->outcome == smtperr::outcome::partially_sent);
        REQUIRE(r.final_report->recipients.size() == 3);
        CHECK_FALSE(r.final_report->recipients[1].accepted);
        CHECK(r.final_report->recipients[1].diagnosis->condition ==
              smtperr::condition::recipient_unknown);
    }

    TEST_CASE("too large for the announced SIZE: no MAIL at all, and after data 552 5.3.4") {
        const auto a = run("too_large_announced");
        CHECK(count_prefix(a.server, "C: MAIL") == 0);
        CHECK(count_prefix(a.server, "C: QUIT") == 1);
        REQUIRE(a.final_report);
        CHECK(a.final_report->outcome == smtperr::outcome::failed);
        CHECK(a.final_report->deciding.condition == smtperr::condition::message_too_large);

        const auto b = run("too_large_after_data");
        CHECK(count_prefix(b.server, "C: <data,") == 1);
        CHECK(count_prefix(b.server, "S: 552 5.3.4 Error: message file too big") == 1);
        REQUIRE(b.final_report);
        CHECK(b.final_report->deciding.condition == smtperr::condition::message_too_large);
        CHECK(b.final_report->deciding.phase == smtperr::phase::data_end);
    }

    TEST_CASE("421 to DATA: the connection is gone, nothing possibly delivered, the retry sends") {
        const auto r = run("closed_mid_transaction");
        CHECK(r.events == names{"retry_scheduled", "system_message", "report"});
        CHECK(r.connections == 2);
        CHECK(count_prefix(r.server, "S: 421 4.3.2") == 1);
        CHECK(count_prefix(r.server, "C: <data,") == 1);
        CHECK(r.attempts.front().outcome == smtperr::outcome::deferred);
        CHECK_FALSE(r.attempts.front().possibly_delivered);
        REQUIRE(r.final_report);
        CHECK(r.final_report->outcome == smtperr::outcome::sent);
        CHECK(r.final_report->recipients.size() == 2);
    }
}
