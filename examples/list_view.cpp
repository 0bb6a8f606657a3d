// A mail client's outbox in the terminal: a list view (subject, recipients, status with the
// system message line) driven by smtperr's send pipeline.
//
// Four queued messages go through an smtperr::outbox. A scripted fake transport feeds canned
// server replies into smtperr::attempt: one message goes out at once, one loses a recipient,
// one is greylisted and goes out on retry, and one needs the password again: the example
// "asks" the user, who types a new one, and the outbox sends it. A simulated clock shows
// the retries.
//
//   smtperr_example_list_view [--lang de|en]     (default: from LC_ALL, LC_MESSAGES, LANG)
//
// The transport is only a function object, `dispatch → send_report`: plug a real one in
// (smtperr's Asio transport, libcurl, a vendor SDK) by replacing make_fake_transport().

#include <smtperr/messages/messages.hpp>
#include <smtperr/pipeline/attempt.hpp>
#include <smtperr/pipeline/outbox.hpp>
#include <smtperr/reply/reply.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

namespace {

using smtperr::language;
using smtperr::phase;
using clock_point = std::chrono::system_clock::time_point;

/// What the UI needs from a transport: one attempt of one message, reported.
using transport = std::function<smtperr::send_report(const smtperr::dispatch&)>;

// ---------------------------------------------------------------------------------------
// A fake SMTP server and transport. Replies are canned; the logic is the real pipeline's.

struct account_settings {
    std::string host;       // For provider rules in the classifier.
    std::string mechanism;  // SASL mechanism, likewise.
    std::string password;   // What the client would send.
};

struct fake_server {
    std::map<std::string, std::string> valid_passwords;  // account → password
    std::map<std::string, int> seen;                     // message id → attempts seen
    std::map<std::string, std::string> unknown;          // address → RCPT reply
    std::vector<std::string> greylisted_once;            // message ids
};

transport make_fake_transport(std::map<std::string, account_settings>& accounts,
                              fake_server& server) {
    return [&accounts, &server](const smtperr::dispatch& d) {
        const auto& acct = accounts.at(d.account);
        smtperr::classify_context ctx;
        ctx.host = acct.host;
        ctx.sasl_mechanism = acct.mechanism;
        smtperr::attempt a(d.recipients, ctx);
        const int nth = ++server.seen[d.id];
        auto say = [&a](phase p, std::string_view text) {
            // A reply that does not parse still answered its command: dropping it would
            // shift every later RCPT reply onto the wrong recipient.
            const auto r = smtperr::parse_reply(text);
            if (r)
                a.on_reply(p, r.value().view());
            else
                a.on_failure(p, r.error());
            return a.session_usable();
        };
        const bool password_ok = server.valid_passwords[d.account] == acct.password;
        if (!say(phase::greeting, "220 " + acct.host + " ESMTP") ||
            !say(phase::ehlo, "250-" + acct.host + "\n250-PIPELINING\n250 AUTH PLAIN") ||
            !say(phase::auth, password_ok ? "235 2.7.0 Authentication successful"
                                          : "535 5.7.8 Authentication credentials invalid")) {
            return a.finish();
        }
        const bool greylist =
            nth == 1 && std::find(server.greylisted_once.begin(), server.greylisted_once.end(),
                                  d.id) != server.greylisted_once.end();
        for (;;) {  // One transaction, and more if the attempt plans them.
            say(phase::mail, "250 2.1.0 Ok");
            for (const auto& rcpt : std::vector<std::string>(a.transaction_recipients())) {
                const auto bad = server.unknown.find(rcpt);
                say(phase::rcpt, greylist ? "450 4.7.1 <" + rcpt + ">: Greylisted, try later"
                                 : bad != server.unknown.end() ? bad->second
                                                               : "250 2.1.5 Ok");
            }
            if (a.any_recipient_accepted() &&
                say(phase::data, "354 End data with <CR><LF>.<CR><LF>") && a.data_accepted()) {
                say(phase::data_end, "250 2.0.0 Ok: queued as 4F2A1");
            }
            if (!a.session_usable() || !a.more_transactions())
                break;
            a.next_transaction();
        }
        if (a.session_usable())
            say(phase::quit, "221 2.0.0 Bye");
        return a.finish();
    };
}

// ---------------------------------------------------------------------------------------
// The list view.

struct ui_words {
    const char* title;
    const char* subject;
    const char* recipients;
    const char* status;
    const char* queued;
    const char* sending;
    const char* sent;
    const char* retry_at;
    const char* rejected;
    const char* later;
    const char* password_prompt;
    const char* user_types;
    const char* done;
};

const ui_words english = {
    "Outbox",
    "Subject",
    "Recipients",
    "Status",
    "Queued",
    "Sending …",
    "Sent",
    "retry at",
    "rejected",
    "minutes later",
    "Password for",
    "(the user types a new password)",
    "All messages have left the outbox.",
};
const ui_words german = {
    "Postausgang",
    "Betreff",
    "Empfänger",
    "Status",
    "Wartet",
    "Wird gesendet …",
    "Gesendet",
    "neuer Versuch um",
    "abgelehnt",
    "Minuten später",
    "Passwort für",
    "(der Benutzer gibt ein neues Passwort ein)",
    "Alle Nachrichten haben den Postausgang verlassen.",
};

struct row {
    std::string id;
    std::string subject;
    std::vector<std::string> recipients;
    std::vector<std::string> rejected;
    std::string status;
};

std::size_t width(std::string_view s) {  // Code points: good enough for these texts.
    std::size_t n = 0;
    for (const char c : s) {
        if ((static_cast<unsigned char>(c) & 0xC0U) != 0x80U)
            ++n;
    }
    return n;
}

std::string pad(std::string s, std::size_t w) {
    for (std::size_t n = width(s); n < w; ++n)
        s += ' ';
    return s;
}

std::string hh_mm(clock_point t) {
    const auto s = std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
    char buf[8];
    std::snprintf(buf, sizeof buf, "%02d:%02d", static_cast<int>(s / 3600 % 24),
                  static_cast<int>(s / 60 % 60));
    return buf;
}

void print_table(const ui_words& w, const std::vector<row>& rows, clock_point now) {
    std::vector<std::vector<std::string>> cells;
    cells.push_back({w.subject, w.recipients, w.status});
    for (const auto& r : rows) {
        std::string to;
        for (const auto& a : r.recipients) {
            if (!to.empty())
                to += ", ";
            to += a;
            if (std::find(r.rejected.begin(), r.rejected.end(), a) != r.rejected.end()) {
                to += std::string(" (") + w.rejected + ")";
            }
        }
        cells.push_back({r.subject, to, r.status});
    }
    std::size_t w0 = 0;
    std::size_t w1 = 0;
    for (const auto& c : cells) {
        w0 = std::max(w0, width(c[0]));
        w1 = std::max(w1, width(c[1]));
    }
    std::printf("\n%s — %s\n", w.title, hh_mm(now).c_str());
    for (std::size_t i = 0; i < cells.size(); ++i) {
        std::printf("  %s  %s  %s\n", pad(cells[i][0], w0).c_str(), pad(cells[i][1], w1).c_str(),
                    cells[i][2].c_str());
        if (i == 0)
            std::printf("  %s\n", std::string(w0 + w1 + 40, '-').c_str());
    }
}

language language_from(int argc, char** argv, bool& ok) {
    ok = true;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (arg == "--lang" && i + 1 < argc) {
            const std::string_view l = argv[++i];
            if (l == "de" || l == "en")
                return l == "de" ? language::de : language::en;
        }
        ok = false;
        return language::en;
    }
    for (const char* var : {"LC_ALL", "LC_MESSAGES", "LANG"}) {
        if (const char* v = std::getenv(var); v != nullptr && *v != '\0') {
            return smtperr::resolve_language(v);
        }
    }
    return language::en;
}

}  // namespace

int main(int argc, char** argv) {
    bool args_ok = true;
    const language lang = language_from(argc, argv, args_ok);
    if (!args_ok) {
        std::fprintf(stderr, "usage: %s [--lang de|en]\n", argv[0]);
        return 1;
    }
    const ui_words& w = lang == language::de ? german : english;
    const bool de = lang == language::de;

    // The client's side: accounts, a clock, and a UI loop that runs posted work.
    std::map<std::string, account_settings> accounts = {
        {"work@example.org", {"smtp.example.org", "PLAIN", "s3cret"}},
        {"me@example.de", {"mail.example.de", "PLAIN", "old password"}},
    };
    fake_server server;
    server.valid_passwords = {{"work@example.org", "s3cret"}, {"me@example.de", "new password"}};
    server.unknown["dan@example.net"] = "550 5.1.1 <dan@example.net>: User unknown";
    server.greylisted_once = {"m3"};
    const transport send = make_fake_transport(accounts, server);

    clock_point now{std::chrono::seconds(1714996800)};  // 2024-05-06 12:00 UTC
    std::deque<std::function<void()>> ui_queue;         // The UI thread's work.

    std::vector<row> rows = {
        {"m1",
         de ? "Quartalsbericht" : "Quarterly report",
         {"anna@example.org", "ben@example.org"},
         {},
         w.queued},
        {"m2",
         de ? "Teamessen am Freitag" : "Team lunch on Friday",
         {"carla@example.org", "dan@example.net"},
         {},
         w.queued},
        {"m3", de ? "Rechnung 2024-117" : "Invoice 2024-117", {"erik@example.com"}, {}, w.queued},
        {"m4", de ? "Urlaubsfotos" : "Holiday photos", {"family@example.de"}, {}, w.queued},
    };
    auto row_of = [&rows](const std::string& id) -> row& {
        for (auto& r : rows) {
            if (r.id == id)
                return r;
        }
        return rows.front();
    };

    smtperr::outbox_options options;
    options.language = lang;
    options.clock = [&now] { return now; };
    smtperr::outbox* box = nullptr;
    std::map<std::string, std::string> retry_note;  // id → " (retry at 12:05)"

    // Events arrive on the UI loop, never inside an outbox call.
    auto on_event = [&](const smtperr::event& e) {
        std::visit(
            [&](const auto& ev) {
                using T = std::decay_t<decltype(ev)>;
                if constexpr (std::is_same_v<T, smtperr::system_message_event>) {
                    const char* mark = ev.severity == smtperr::severity::error ? "✖ " : "⚠ ";
                    row_of(ev.message_id).status = mark + ev.list_line + retry_note[ev.message_id];
                } else if constexpr (std::is_same_v<T, smtperr::retry_scheduled_event>) {
                    retry_note[ev.message_id] =
                        std::string(" (") + w.retry_at + " " + hh_mm(ev.when) + ")";
                } else if constexpr (std::is_same_v<T, smtperr::recipients_rejected_event>) {
                    for (const auto& r : ev.recipients)
                        row_of(ev.message_id).rejected.push_back(r.address);
                } else if constexpr (std::is_same_v<T, smtperr::credentials_required_event>) {
                    // A password dialog: why, for which account, and the user's answer.
                    std::printf(
                        "\n  ┌ %s\n",
                        smtperr::render_message(ev.diagnosis.view(), lang).list_line.c_str());
                    std::printf("  └ %s %s: ********  %s\n", w.password_prompt, ev.account.c_str(),
                                w.user_types);
                    accounts[ev.account].password = "new password";
                    box->credentials_updated(ev.account);
                } else if constexpr (std::is_same_v<T, smtperr::token_refresh_required_event>) {
                    box->token_refreshed(ev.account, false);  // No OAuth in this example.
                } else if constexpr (std::is_same_v<T, smtperr::report_event>) {
                    retry_note.erase(ev.message_id);
                    auto& r = row_of(ev.message_id);
                    if (ev.report.outcome == smtperr::outcome::sent)
                        r.status = std::string("✔ ") + w.sent;
                }
            },
            e);
    };
    smtperr::outbox outbox(options, on_event, [&ui_queue](std::function<void()> f) {
        ui_queue.push_back(std::move(f));
    });
    box = &outbox;
    for (const auto& r : rows) {
        const auto queued =
            outbox.enqueue(r.id, r.id == "m4" ? "me@example.de" : "work@example.org", r.recipients);
        if (!queued) {
            std::fprintf(stderr, "%s: not queued: %s\n", r.id.c_str(),
                         queued.error().message().c_str());
            return 1;
        }
    }

    auto run_ui = [&ui_queue] {
        while (!ui_queue.empty()) {
            auto f = std::move(ui_queue.front());
            ui_queue.pop_front();
            f();
        }
    };

    print_table(w, rows, now);
    for (int round = 0; round < 10 && outbox.size() > 0; ++round) {
        const auto due = outbox.take_due();
        for (const auto& d : due) {
            row_of(d.id).status = w.sending;
            outbox.complete(d.id, send(d));  // A real transport would do this asynchronously.
        }
        run_ui();
        if (!due.empty())
            print_table(w, rows, now);
        if (const auto next = outbox.next_wakeup(); next && *next > now) {
            const auto minutes = std::chrono::duration_cast<std::chrono::minutes>(*next - now);
            std::printf("\n  … %d %s\n", static_cast<int>(minutes.count()), w.later);
            now = *next;
        }
    }
    std::printf("\n%s\n", w.done);
    return outbox.size() == 0 ? 0 : 1;
}
