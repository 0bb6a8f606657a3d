// smtperr — SMTP error mapping for mail clients.
// Distributed under the Boost Software License, Version 1.0.

// libFuzzer target for smtperr::outbox::restore(), which reads back the queue a client
// saved: a file that may be truncated, corrupt or edited by hand. Also replayed by
// smtperr_fuzz_regressions_outbox.
//
// Input: the saved JSON. Checked: restore() into an outbox that holds messages either fails
// with errc::invalid_outbox_state and leaves that outbox exactly as it was (its save()
// unchanged), or succeeds; then nothing is in flight, the state saves and restores into a
// fresh outbox to the same JSON, restoring asks at most once per account for credentials
// and for a token refresh, and the queue keeps its promise under use: through three rounds
// of take_due() and complete() (temporary failure, rejected credentials, success, in an
// order the input picks, an hour apart), every message handed out is one that was queued,
// each recipient at most once, and every message either is still in the outbox or left it
// with exactly one report event; the system messages on the way show only sanitized text
// (list lines within 90 characters) and help links only on the provider's own domains.

#include <smtperr/error/errc.hpp>
#include <smtperr/messages/messages.hpp>
#include <smtperr/pipeline/attempt.hpp>
#include <smtperr/pipeline/events.hpp>
#include <smtperr/pipeline/outbox.hpp>
#include <smtperr/reply/parser.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "fuzz_check.hpp"

namespace smtperr_fuzz {
namespace {

using smtperr::phase;
using time_point = std::chrono::system_clock::time_point;

/// An outbox on a clock the target moves, whose events run inline (the target only counts
/// them) and are kept.
struct box {
    std::shared_ptr<time_point> now =
        std::make_shared<time_point>(std::chrono::seconds(1796000000));  // 2026-11-29
    std::shared_ptr<std::vector<smtperr::event>> events =
        std::make_shared<std::vector<smtperr::event>>();
    smtperr::outbox ob;

    static smtperr::outbox_options options(const std::shared_ptr<time_point>& n) {
        smtperr::outbox_options o;
        o.clock = [n] { return *n; };
        return o;
    }
    box()
        : ob(
              options(now), [e = events](const smtperr::event& ev) { e->push_back(ev); },
              [](std::function<void()> f) { f(); }) {}
};

void feed(smtperr::attempt& a, phase p, std::string_view wire) {
    const auto r = smtperr::parse_reply(wire);
    SMTPERR_FUZZ_CHECK(r.has_value(), wire);
    a.on_reply(p, r.value().view());
}

enum class script { temporary_failure, bad_credentials, success };

/// The report of one attempt at `d` that goes as `s` says.
smtperr::send_report run(const smtperr::dispatch& d, script s) {
    smtperr::attempt a(d.recipients, {});
    if (s == script::temporary_failure) {
        feed(a, phase::greeting, "421 4.3.2 Service not available, closing channel");
        return a.finish();
    }
    feed(a, phase::greeting, "220 mx.example.org ESMTP");
    feed(a, phase::ehlo, "250-mx.example.org\n250 AUTH PLAIN");
    if (s == script::bad_credentials) {
        feed(a, phase::auth, "535 5.7.8 Authentication credentials invalid");
        return a.finish();
    }
    feed(a, phase::auth, "235 2.7.0 Authentication successful");
    feed(a, phase::mail, "250 2.1.0 Sender OK");
    for (std::size_t i = 0; i < d.recipients.size(); ++i) {
        feed(a, phase::rcpt, "250 2.1.5 Recipient OK");
    }
    feed(a, phase::data, "354 Go ahead");
    feed(a, phase::data_end, "250 2.0.0 Ok: queued");
    return a.finish();
}

/// A few messages in different states, so that a failed restore has something to keep.
void populate(box& b) {
    SMTPERR_FUZZ_CHECK(
        b.ob.enqueue("keep-1", "alice@example.org", {"anna@example.org", "ben@example.net"}),
        "enqueue");
    SMTPERR_FUZZ_CHECK(b.ob.enqueue("keep-2", "bob@example.org", {"dora@example.org"}), "enqueue");
    for (const auto& d : b.ob.take_due()) {
        b.ob.complete(
            d.id, run(d, d.id == "keep-1" ? script::temporary_failure : script::bad_credentials));
    }
    SMTPERR_FUZZ_CHECK(b.ob.enqueue("keep-3", "alice@example.org", {"emil@example.de"}), "enqueue");
    b.events->clear();
}

/// What a user sees must be valid UTF-8 without controls, bidi or zero-width characters.
void check_shown(std::string_view text, const char* what) {
    const char* bad = unfit_to_show(text);
    SMTPERR_FUZZ_CHECK(bad == nullptr, std::string(what) + ": " + (bad ? bad : ""));
}

/// The texts of system messages, however odd the restored diagnosis: the list line within
/// 90 characters, server text sanitized, a help link only on the provider's own domains.
void check_events(const std::vector<smtperr::event>& events) {
    for (const auto& e : events) {
        const auto* m = std::get_if<smtperr::system_message_event>(&e);
        if (m == nullptr) {
            continue;
        }
        check_shown(m->list_line, "list line");
        check_shown(m->detail, "detail");
        check_shown(m->server_text, "server text");
        SMTPERR_FUZZ_CHECK(utf8_length(m->list_line).value_or(0) <= 90, "list line too long");
        SMTPERR_FUZZ_CHECK(m->server_text == smtperr::sanitize_server_text(m->server_text),
                           "server text not sanitized");
        if (!m->help_url.empty()) {
            const char* bad = untrusted_help_url(m->diagnosis.provider, m->help_url);
            SMTPERR_FUZZ_CHECK(bad == nullptr, std::string(bad ? bad : "") + ": " + m->help_url);
        }
    }
}

template <class T>
std::map<std::string, int> per_account(const std::vector<smtperr::event>& events) {
    std::map<std::string, int> n;
    for (const auto& e : events) {
        if (const auto* x = std::get_if<T>(&e)) {
            ++n[x->account];
        }
    }
    return n;
}

void check_restored(box& b, const std::uint8_t* data, std::size_t size) {
    const std::string saved = b.ob.save();
    check_events(*b.events);
    for (const auto& [account, n] : per_account<smtperr::credentials_required_event>(*b.events)) {
        SMTPERR_FUZZ_CHECK(n == 1, "two credential prompts for one account: " + account);
    }
    for (const auto& [account, n] : per_account<smtperr::token_refresh_required_event>(*b.events)) {
        SMTPERR_FUZZ_CHECK(n == 1, "two token refreshes for one account: " + account);
    }
    {
        box fresh;
        SMTPERR_FUZZ_CHECK(fresh.ob.restore(saved).has_value(), "a saved state does not restore");
        SMTPERR_FUZZ_CHECK(fresh.ob.save() == saved, "save, restore, save changed the state");
    }

    // The messages and their pending recipients, from the saved state itself.
    std::map<std::string, std::set<std::string>> pending;
    {
        const auto root = boost::json::parse(saved).as_object();
        for (const auto& m : root.at("messages").as_array()) {
            const auto& o = m.as_object();
            const std::string id(o.at("id").as_string());
            SMTPERR_FUZZ_CHECK(b.ob.state(id) != smtperr::message_state::in_flight,
                               "in flight after a restore: " + id);
            auto& p = pending[id];
            for (const auto& r : o.at("pending").as_array()) {
                p.emplace(r.as_string());
            }
        }
    }
    SMTPERR_FUZZ_CHECK(b.ob.size() == pending.size(), "size() differs from the saved state");

    b.events->clear();
    std::map<std::string, int> reports;
    for (unsigned round = 0; round < 3; ++round) {
        *b.now += std::chrono::hours(1);
        b.ob.credentials_updated("alice@example.org");
        for (const auto& d : b.ob.take_due()) {
            const auto it = pending.find(d.id);
            SMTPERR_FUZZ_CHECK(it != pending.end(), "handed out a message never queued: " + d.id);
            SMTPERR_FUZZ_CHECK(reports.count(d.id) == 0, "handed out after its report: " + d.id);
            std::set<std::string> once;
            for (const auto& r : d.recipients) {
                SMTPERR_FUZZ_CHECK(it->second.count(r) == 1, "not a pending recipient: " + r);
                SMTPERR_FUZZ_CHECK(once.insert(r).second, "a recipient twice: " + r);
            }
            const auto s = static_cast<script>((data[(round * 7U) % size] + round) % 3U);
            b.ob.complete(d.id, run(d, s));
        }
        check_events(*b.events);
        for (const auto& e : *b.events) {
            if (const auto* r = std::get_if<smtperr::report_event>(&e)) {
                ++reports[r->message_id];
            }
        }
        b.events->clear();
    }
    for (const auto& [id, p] : pending) {
        const int n = reports.count(id) != 0 ? reports[id] : 0;
        SMTPERR_FUZZ_CHECK(n <= 1, "two reports for " + id);
        SMTPERR_FUZZ_CHECK((n == 1) != b.ob.state(id).has_value(),
                           "neither kept nor reported (or both): " + id);
    }
}

}  // namespace
}  // namespace smtperr_fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace smtperr_fuzz;
    if (size == 0) {
        return 0;
    }
    box b;
    populate(b);
    const std::string before = b.ob.save();
    const std::string_view json(reinterpret_cast<const char*>(data), size);
    const auto r = b.ob.restore(json);
    if (!r) {
        SMTPERR_FUZZ_CHECK(r.error() == smtperr::errc::invalid_outbox_state, r.error().message());
        SMTPERR_FUZZ_CHECK(b.ob.save() == before, "a failed restore changed the outbox");
        SMTPERR_FUZZ_CHECK(b.events->empty(), "a failed restore sent events");
        return 0;
    }
    check_restored(b, data, size);
    return 0;
}
