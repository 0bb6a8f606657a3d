// One outbox driven from four threads at once, for ThreadSanitizer: enqueue, take_due,
// complete with random reports, credentials_updated, token_refreshed, save; events run on
// a separate "UI" thread through a thread-safe executor, and the UI answers prompts by
// calling back into the outbox. At the end every message has exactly one report or is
// still in the outbox; then the outbox is run dry and every message has exactly one report.
//
// Exit status 0 when all checks pass, 1 otherwise (ThreadSanitizer adds its own on a race).

#include <smtperr/error/errc.hpp>
#include <smtperr/pipeline/attempt.hpp>
#include <smtperr/pipeline/outbox.hpp>
#include <smtperr/reply/reply.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <functional>
#include <future>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace {

using namespace std::chrono_literals;
using smtperr::phase;

constexpr int worker_count = 4;
constexpr int operations_per_worker = 2500;

std::atomic<int> failures{0};

void expect(bool ok, const std::string& what) {
    if (!ok) {
        std::fprintf(stderr, "FAILED: %s\n", what.c_str());
        ++failures;
    }
}

/// The UI thread: runs posted functions in order, one at a time.
class ui_loop {
  public:
    ui_loop() : thread_([this] { run(); }) {}
    ~ui_loop() {
        {
            std::lock_guard lock(mutex_);
            stop_ = true;
        }
        ready_.notify_one();
        thread_.join();
    }
    ui_loop(const ui_loop&) = delete;
    ui_loop& operator=(const ui_loop&) = delete;

    void post(std::function<void()> f) {
        {
            std::lock_guard lock(mutex_);
            queue_.push_back(std::move(f));
        }
        ready_.notify_one();
    }

    /// Waits until everything posted so far has run.
    void sync() {
        std::promise<void> done;
        auto f = done.get_future();
        post([&done] { done.set_value(); });
        f.wait();
    }

    std::thread::id id() const { return thread_.get_id(); }

  private:
    void run() {
        for (;;) {
            std::function<void()> f;
            {
                std::unique_lock lock(mutex_);
                ready_.wait(lock, [this] { return stop_ || !queue_.empty(); });
                if (queue_.empty())
                    return;  // Stopped, and nothing left.
                f = std::move(queue_.front());
                queue_.pop_front();
            }
            f();
        }
    }

    std::mutex mutex_;
    std::condition_variable ready_;
    std::deque<std::function<void()>> queue_;
    bool stop_ = false;
    std::thread thread_;  // Last: starts after the members it uses.
};

const std::vector<std::string> accounts = {"plain@example.org", "oauth@example.org",
                                           "other@example.net"};
const std::vector<std::string> addresses = {"anna@example.org", "ben@example.net",
                                            "carl@example.com", "dora@example.de",
                                            "emil@example.at"};

template <class T>
const T& pick(std::mt19937_64& rng, const std::vector<T>& v) {
    return v[std::uniform_int_distribution<std::size_t>(0, v.size() - 1)(rng)];
}

bool chance(std::mt19937_64& rng, double p) {
    return std::uniform_real_distribution<double>(0, 1)(rng) < p;
}

void feed(smtperr::attempt& a, phase p, const std::string& text) {
    if (text == "EOF") {
        a.on_failure(p, make_error_code(smtperr::errc::connection_lost));
        return;
    }
    const auto r = smtperr::parse_reply(text);
    if (!r) {
        expect(false, "unparsable reply " + text);
        return;
    }
    a.on_reply(p, r.value().view());
}

/// One attempt with random replies (`good`: every reply positive).
smtperr::send_report random_report(std::mt19937_64& rng, const smtperr::dispatch& d, bool good) {
    smtperr::classify_context ctx;
    ctx.sasl_mechanism = d.account == accounts[1] ? "XOAUTH2" : "PLAIN";
    smtperr::attempt a(d.recipients, ctx);
    auto say = [&](phase p, const std::vector<std::string>& pool) {
        feed(a, p, good || chance(rng, 0.75) ? pool.front() : pick(rng, pool));
        return a.session_usable();
    };
    if (say(phase::greeting, {"220 mx.example.org ESMTP", "421 4.3.2 Busy", "EOF"}) &&
        say(phase::ehlo, {"250 mx.example.org"}) &&
        say(phase::auth, {"235 2.7.0 Accepted", "535 5.7.8 Authentication credentials invalid",
                          "454 4.7.0 Temporary authentication failure", "EOF"})) {
        for (int n = 0; n < 16; ++n) {
            if (!say(phase::mail, {"250 2.1.0 Ok", "451 4.3.0 Try later"}))
                break;
            const auto batch = a.transaction_recipients();
            bool usable = true;
            for (std::size_t i = 0; i < batch.size() && usable; ++i) {
                usable = say(phase::rcpt,
                             {"250 2.1.5 Ok", "550 5.1.1 User unknown", "450 4.2.1 Mailbox busy",
                              "452 4.5.3 Too many recipients", "EOF"});
            }
            if (!usable)
                break;
            if (a.any_recipient_accepted()) {
                if (!say(phase::data, {"354 Go ahead", "554 5.5.1 No valid recipients"}))
                    break;
                if (a.data_accepted() &&
                    !say(phase::data_end,
                         {"250 2.0.0 Queued", "451 4.3.0 Try later", "552 5.3.4 Too big", "EOF"})) {
                    break;
                }
            }
            if (!a.more_transactions())
                break;
            a.next_transaction();
        }
    }
    return a.finish();
}

}  // namespace

int main() {
    std::atomic<std::int64_t> clock_seconds{1714996800};
    ui_loop ui;

    std::mutex reports_mutex;
    std::map<std::string, int> reports;
    std::atomic<int> off_thread_events{0};
    std::atomic<int> events_seen{0};
    smtperr::outbox* box_ptr = nullptr;  // Set before any event can run.

    smtperr::outbox_options options;
    options.clock = [&clock_seconds] {
        return std::chrono::system_clock::time_point(std::chrono::seconds(clock_seconds.load()));
    };
    options.retry.max_age = std::chrono::seconds(12 * 3600);
    bool refresh_ok = true;  // Only the UI thread touches it.
    auto sink = [&](const smtperr::event& e) {
        ++events_seen;
        if (std::this_thread::get_id() != ui.id())
            ++off_thread_events;
        if (const auto* r = std::get_if<smtperr::report_event>(&e)) {
            std::lock_guard lock(reports_mutex);
            ++reports[r->message_id];
        } else if (const auto* c = std::get_if<smtperr::credentials_required_event>(&e)) {
            // The user types a new password.
            box_ptr->credentials_updated(c->account);
        } else if (const auto* t = std::get_if<smtperr::token_refresh_required_event>(&e)) {
            // The client refreshes the token, sometimes in vain.
            refresh_ok = !refresh_ok;
            box_ptr->token_refreshed(t->account, refresh_ok);
        }
    };
    smtperr::outbox box(options, sink, [&ui](std::function<void()> f) { ui.post(std::move(f)); });
    box_ptr = &box;

    std::mutex flight_mutex;
    std::vector<smtperr::dispatch> in_flight;
    std::mutex ids_mutex;
    std::vector<std::string> ids;
    std::atomic<int> saves{0};
    std::atomic<int> completions{0};

    auto worker = [&](int w) {
        std::mt19937_64 rng(static_cast<std::uint64_t>(1000 + w));
        for (int op = 0; op < operations_per_worker; ++op) {
            switch (std::uniform_int_distribution<int>(0, 11)(rng)) {
                case 0:
                case 1: {
                    const auto id = "w" + std::to_string(w) + "-" + std::to_string(op);
                    std::vector<std::string> rcpts;
                    const auto n = std::uniform_int_distribution<int>(1, 3)(rng);
                    for (int i = 0; i < n; ++i)
                        rcpts.push_back(pick(rng, addresses));
                    {
                        std::lock_guard lock(ids_mutex);
                        ids.push_back(id);
                    }
                    expect(box.enqueue(id, pick(rng, accounts), rcpts).has_value(),
                           "enqueue " + id);
                    break;
                }
                case 2:
                case 3: {
                    auto due = box.take_due();
                    std::lock_guard lock(flight_mutex);
                    for (auto& d : due)
                        in_flight.push_back(std::move(d));
                    break;
                }
                case 4:
                case 5:
                case 6: {
                    smtperr::dispatch d;
                    {
                        std::lock_guard lock(flight_mutex);
                        if (in_flight.empty())
                            break;
                        const auto i = std::uniform_int_distribution<std::size_t>(
                            0, in_flight.size() - 1)(rng);
                        d = in_flight[i];
                        in_flight.erase(in_flight.begin() + static_cast<std::ptrdiff_t>(i));
                    }
                    box.complete(d.id, random_report(rng, d, false));
                    ++completions;
                    break;
                }
                case 7:
                    box.credentials_updated(pick(rng, accounts));
                    break;
                case 8:
                    box.token_refreshed(pick(rng, accounts), chance(rng, 0.5));
                    break;
                case 9: {
                    const auto saved = box.save();
                    smtperr::outbox copy(
                        options, [](const smtperr::event&) {}, [](std::function<void()>) {});
                    expect(copy.restore(saved).has_value(), "restore of a saved state");
                    ++saves;
                    break;
                }
                case 10:
                    clock_seconds += std::uniform_int_distribution<int>(0, 900)(rng);
                    break;
                case 11:
                    (void)box.next_wakeup();
                    (void)box.size();
                    (void)box.state("w0-0");
                    if (chance(rng, 0.05)) {
                        box.set_language(chance(rng, 0.5) ? smtperr::language::de
                                                          : smtperr::language::en);
                    }
                    break;
            }
        }
    };

    std::vector<std::thread> workers;
    for (int w = 0; w < worker_count; ++w)
        workers.emplace_back(worker, w);
    for (auto& t : workers)
        t.join();
    ui.sync();

    // Nothing lost, nothing twice: one report, or still in the outbox.
    std::size_t reported = 0;
    {
        std::lock_guard lock(reports_mutex);
        for (const auto& id : ids) {
            const auto it = reports.find(id);
            const int n = it == reports.end() ? 0 : it->second;
            expect(n <= 1, id + " has " + std::to_string(n) + " reports");
            expect((n == 1) != box.state(id).has_value(),
                   id + ": reported and still queued, or neither");
            reported += n == 1 ? 1u : 0u;
        }
    }
    std::printf(
        "%zu messages, %d attempts completed, %zu reported, %zu still in the outbox, %d events, "
        "%d saves\n",
        ids.size(), completions.load(), reported, box.size(), events_seen.load(), saves.load());
    // The threads did real work together, not only the dry run below: messages went through
    // attempts to reports, events ran, states were saved. A run does about 1650, 2400, 1400,
    // 3900 and 900 of them; the bounds are far below, whatever the interleaving. (The
    // messages and saves follow from each worker's seed alone: those two bounds guard the
    // number of operations; the other three depend on how the threads met.)
    expect(ids.size() > 1000, "messages enqueued while the threads ran");
    expect(completions > 500, "attempts completed while the threads ran");
    expect(reported > 200, "messages reported while the threads ran");
    expect(events_seen > 1000, "events while the threads ran");
    expect(saves > 200, "saves while the threads ran");

    // Run the outbox dry: the user and the server cooperate now.
    std::mt19937_64 rng(42);
    for (int round = 0; round < 100 && box.size() > 0; ++round) {
        for (const auto& a : accounts) {
            box.credentials_updated(a);
            box.token_refreshed(a, true);
        }
        for (const auto& d : in_flight)
            box.complete(d.id, random_report(rng, d, true));
        in_flight.clear();
        clock_seconds += 3600;
        in_flight = box.take_due();
        ui.sync();
    }
    ui.sync();
    expect(box.size() == 0, "the outbox ran dry");
    {
        std::lock_guard lock(reports_mutex);
        for (const auto& id : ids) {
            const auto it = reports.find(id);
            expect(it != reports.end() && it->second == 1, id + " has exactly one report");
        }
    }
    expect(off_thread_events == 0, "events ran on the UI thread only");
    if (failures != 0) {
        std::fprintf(stderr, "%d check(s) failed\n", failures.load());
        return 1;
    }
    std::printf("ok\n");
    return 0;
}
