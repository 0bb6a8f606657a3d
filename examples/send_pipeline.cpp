// The whole send pipeline against real provider behaviour: every scenario of the embedded
// scenario server (Gmail wants an app password, Microsoft 365 has password sign-in turned
// off, a changed password, greylisting, an unknown recipient, a message too large, a 421
// mid-transaction) is run through an smtperr::outbox and smtperr's own Boost.Asio transport
// (smtperr::asio::async_submit) on 127.0.0.1.
//
// For each scenario it prints the UI events as the outbox delivers them, the list-view line
// of each system message in German and English, what the simulated user does when asked for
// credentials (a new password, an app password, an OAuth sign-in), and the final list-view
// row. Retries wait for the time the outbox scheduled: the outbox's clock is simulated here,
// so a five-minute greylisting delay takes no time. A last line per scenario sums it up for
// the test that runs this example.
//
//   smtperr_example_send_pipeline [SCENARIO-ID...]     (default: all of them)
//
// The connection is plain TCP with AUTH allowed (loopback demo only); a real client uses
// tls_mode::starttls or tls_mode::implicit, and the transport then refuses plaintext AUTH.

#include <smtperr/asio/submit.hpp>
#include <smtperr/messages/messages.hpp>
#include <smtperr/pipeline/outbox.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <deque>
#include <exception>
#include <functional>
#include <iostream>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

#include "scenario_server.hpp"

namespace {

namespace net = boost::asio;
namespace sa = smtperr::asio;
using smtperr::language;
using smtperr::demo::scenario;
using clock_point = std::chrono::system_clock::time_point;
using namespace std::chrono_literals;

std::string hh_mm(clock_point t) {
    const auto s = std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
    char buf[16];
    std::snprintf(buf, sizeof buf, "%02d:%02d UTC", static_cast<int>(s / 3600 % 24),
                  static_cast<int>(s / 60 % 60));
    return buf;
}

// The message the demo client sends: headers, and filler lines up to `bytes` when given.
std::string make_message(const scenario& sc) {
    std::string m =
        "From: <" + sc.from + ">\r\nTo: <" + sc.recipients.front() +
        ">\r\nSubject: smtperr scenario " + sc.id + "\r\nMessage-ID: <" + sc.id +
        "@smtperr.example>\r\nMIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\nHello from the smtperr demo.\r\n";
    const std::string filler(76, 'x');
    while (m.size() + filler.size() + 2 <= sc.message_bytes) {
        m += filler;
        m += "\r\n";
    }
    return m;
}

// The list-view line of a diagnosis in both languages.
void print_lines(const smtperr::diagnosis_record& d, std::string_view recipient = {}) {
    smtperr::message_args args;
    args.recipient = recipient;
    args.forward_path = d.forward_path;
    for (const auto lang : {language::de, language::en}) {
        std::cout << "        " << smtperr::to_string(lang) << ": "
                  << smtperr::render_message(d.view(), lang, args).list_line << '\n';
    }
}

std::string join(const std::vector<std::string>& v) {
    std::string out;
    for (const auto& s : v) {
        out += (out.empty() ? "" : ",") + s;
    }
    return out.empty() ? "-" : out;
}

// Runs the posted UI work (the outbox's events) until none is left.
void drain(std::deque<std::function<void()>>& ui) {
    while (!ui.empty()) {
        auto f = std::move(ui.front());
        ui.pop_front();
        f();
    }
}

// One scenario from the first attempt until the message leaves the outbox (or waits for a
// user who has no answer). Returns false when the transport refused the input.
net::awaitable<bool> run_scenario(net::io_context& ioc, net::ssl::context& tls, const scenario& sc,
                                  std::size_t number, std::size_t total) {
    smtperr::demo::scenario_server server(ioc, sc);
    std::cout << "== " << number << '/' << total << "  " << sc.id << ": " << sc.title << '\n'
              << "   " << sc.from << " → ";
    for (std::size_t i = 0; i < sc.recipients.size(); ++i) {
        std::cout << (i ? ", " : "") << sc.recipients[i];
    }
    std::cout << "   (server 127.0.0.1:" << server.port() << ")\n";

    clock_point now = std::chrono::floor<std::chrono::minutes>(std::chrono::system_clock::now());
    sa::credentials creds{sc.from, sc.password, sc.token};
    std::deque<std::function<void()>> ui;
    std::vector<std::string> events;
    std::vector<std::string> conditions;
    std::string outcome;
    std::string row_de = "Wartet";
    std::string row_en = "Queued";
    smtperr::outbox* box = nullptr;

    auto on_event = [&](const smtperr::event& e) {
        std::visit(
            [&](const auto& ev) {
                using T = std::decay_t<decltype(ev)>;
                if constexpr (std::is_same_v<T, smtperr::system_message_event>) {
                    events.emplace_back("system_message");
                    std::cout << "     event system_message (" << smtperr::to_string(ev.severity)
                              << "): " << smtperr::to_string(ev.diagnosis.condition) << " → "
                              << smtperr::to_string(ev.action) << '\n';
                    print_lines(ev.diagnosis);
                    const char* mark = ev.severity == smtperr::severity::error ? "✖ " : "⚠ ";
                    row_de =
                        mark + smtperr::render_message(ev.diagnosis.view(), language::de).list_line;
                    row_en =
                        mark + smtperr::render_message(ev.diagnosis.view(), language::en).list_line;
                } else if constexpr (std::is_same_v<T, smtperr::credentials_required_event>) {
                    events.emplace_back("credentials_required");
                    std::cout << "     event credentials_required: account " << ev.account
                              << ", reason " << smtperr::to_string(ev.reason) << '\n';
                    if (!sc.new_password.empty() || !sc.new_token.empty()) {
                        std::cout << "        user: " << sc.user_action_en << '\n'
                                  << "              (" << sc.user_action_de << ")\n";
                        creds.password = sc.new_password;
                        creds.oauth_token = sc.new_token;
                        box->credentials_updated(ev.account);
                    } else {
                        std::cout << "        user: no answer; the message waits in the outbox\n";
                    }
                } else if constexpr (std::is_same_v<T, smtperr::token_refresh_required_event>) {
                    events.emplace_back("token_refresh_required");
                    std::cout << "     event token_refresh_required: account " << ev.account
                              << " (no refresh token in this demo)\n";
                    box->token_refreshed(ev.account, false);
                } else if constexpr (std::is_same_v<T, smtperr::retry_scheduled_event>) {
                    events.emplace_back("retry_scheduled");
                    const auto in = std::chrono::duration_cast<std::chrono::seconds>(ev.when - now);
                    std::cout << "     event retry_scheduled: attempt " << ev.attempt << " at "
                              << hh_mm(ev.when) << " (in " << in.count() << " s), "
                              << smtperr::to_string(ev.diagnosis.condition) << '\n';
                } else if constexpr (std::is_same_v<T, smtperr::recipients_rejected_event>) {
                    events.emplace_back("recipients_rejected");
                    std::cout << "     event recipients_rejected:\n";
                    for (const auto& r : ev.recipients) {
                        std::cout << "        " << r.address << ": "
                                  << smtperr::to_string(r.diagnosis.condition) << '\n';
                        print_lines(r.diagnosis, r.address);
                    }
                } else if constexpr (std::is_same_v<T, smtperr::report_event>) {
                    events.emplace_back("report");
                    outcome = std::string(smtperr::to_string(ev.report.outcome));
                    std::size_t accepted = 0;
                    for (const auto& r : ev.report.recipients) {
                        accepted += r.accepted ? 1U : 0U;
                    }
                    std::cout << "     event report: " << outcome << " (" << accepted << " of "
                              << ev.report.recipients.size() << " recipients accepted)\n";
                    if (ev.report.outcome == smtperr::outcome::sent) {
                        row_de = "✔ Gesendet";
                        row_en = "✔ Sent";
                    }
                }
            },
            e);
    };

    smtperr::outbox_options options;
    options.clock = [&now] { return now; };
    smtperr::outbox outbox(options, on_event,
                           [&ui](std::function<void()> f) { ui.push_back(std::move(f)); });
    box = &outbox;
    if (auto queued = outbox.enqueue(sc.id, sc.from, sc.recipients); !queued) {
        std::cerr << sc.id << ": not queued: " << queued.error().message() << '\n';
        co_return false;
    }
    const std::string body = make_message(sc);

    for (int round = 0; round < 8 && outbox.size() > 0; ++round) {
        const auto due = outbox.take_due();
        drain(ui);
        for (const auto& d : due) {
            sa::submit_options opt;
            opt.host = "127.0.0.1";
            opt.port = server.port();
            opt.tls = sa::tls_mode::none;
            opt.allow_plaintext_auth = true;  // Loopback demo server only.
            opt.client_name = "client.example";
            opt.credentials = creds;
            auto& t = opt.timeouts;
            t.connect = t.greeting = t.ehlo = t.auth = t.mail = t.rcpt = t.data_init =
                t.data_block = t.data_end = t.quit = 10s;
            // A named message: GCC 12 destroys a temporary in a co_await expression twice.
            sa::message msg{sc.from, d.recipients, body};
            auto [ec, report] = co_await sa::async_submit(ioc, tls, opt, std::move(msg),
                                                          net::as_tuple(net::use_awaitable));
            if (ec && ec != net::error::operation_aborted) {
                // Invalid caller input: nothing was sent. The outbox hands out only addresses
                // it accepted, so this is a bug in the caller, and the demo stops.
                std::cout << "   the transport refused the input: " << ec.message() << '\n';
                co_return false;
            }
            // Cancelled, the report still says what was known (recipients pending, or
            // possibly delivered): it goes to the outbox like any other, so the message is
            // never left in flight.
            conditions.emplace_back(smtperr::to_string(report.deciding.condition));
            std::cout << "   attempt " << d.attempt << " at " << hh_mm(now) << " with "
                      << (creds.oauth_token.empty() ? "a password" : "an OAuth token") << ": "
                      << smtperr::to_string(report.outcome) << " (" << conditions.back() << ")\n";
            outbox.complete(d.id, report);
            drain(ui);
        }
        if (due.empty()) {
            const auto next = outbox.next_wakeup();
            if (!next) {
                break;  // Waiting for a user who has no answer.
            }
            const auto wait = std::chrono::duration_cast<std::chrono::seconds>(*next - now);
            std::cout << "   … " << wait.count() << " s later (simulated clock)\n";
            now = std::max(now, *next);
        }
    }
    if (outcome.empty()) {
        const auto st = outbox.state(sc.id);
        outcome = st ? "in_outbox_" + std::string(smtperr::to_string(*st)) : "lost";
    }
    server.stop();
    std::cout << "   list view:\n"
              << "        de: " << row_de << '\n'
              << "        en: " << row_en << '\n'
              << "   result " << sc.id << ": conditions=" << join(conditions)
              << " events=" << join(events) << " outcome=" << outcome << "\n\n";
    co_return true;
}

net::awaitable<int> run_all(net::io_context& ioc, std::vector<scenario> list) {
    net::ssl::context tls(net::ssl::context::tls_client);  // Unused: the demo is plain TCP.
    int status = 0;
    for (std::size_t i = 0; i < list.size(); ++i) {
        if (!co_await run_scenario(ioc, tls, list[i], i + 1, list.size())) {
            status = 1;
        }
    }
    co_return status;
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<scenario> list;
    if (argc < 2) {
        list = smtperr::demo::scenarios();
    }
    for (int i = 1; i < argc; ++i) {
        auto sc = smtperr::demo::find_scenario(argv[i]);
        if (!sc) {
            std::cerr << "usage: " << argv[0] << " [SCENARIO-ID...]\nscenarios:";
            for (const auto& s : smtperr::demo::scenarios()) {
                std::cerr << ' ' << s.id;
            }
            std::cerr << '\n';
            return 1;
        }
        list.push_back(std::move(*sc));
    }
    net::io_context ioc;
    int status = 1;
    net::co_spawn(ioc, run_all(ioc, std::move(list)), [&status](std::exception_ptr e, int st) {
        if (e) {
            std::rethrow_exception(e);
        }
        status = st;
    });
    ioc.run();
    return status;
}
