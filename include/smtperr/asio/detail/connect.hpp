// smtperr — SMTP error mapping for mail clients.
// Distributed under the Boost Software License, Version 1.0.

#ifndef SMTPERR_ASIO_DETAIL_CONNECT_HPP
#define SMTPERR_ASIO_DETAIL_CONNECT_HPP

/// @file
/// Happy Eyeballs (RFC 8305): connection attempts to a host's addresses, staggered and
/// racing, so that an address family whose packets vanish (a broken IPv6 route) costs a
/// quarter of a second instead of the whole connect timeout. No stability promise.

#include <smtperr/asio/detail/session.hpp>

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/compose.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <system_error>
#include <utility>
#include <vector>

namespace smtperr::asio::detail {

/// RFC 8305 §4: the resolver's order (RFC 6724), with the address families alternating,
/// the first address's family first.
inline std::vector<tcp::endpoint> interleave_families(const std::vector<tcp::endpoint>& eps) {
    if (eps.empty()) {
        return {};
    }
    const bool first_v6 = eps.front().address().is_v6();
    std::vector<tcp::endpoint> first;
    std::vector<tcp::endpoint> other;
    for (const auto& e : eps) {
        (e.address().is_v6() == first_v6 ? first : other).push_back(e);
    }
    std::vector<tcp::endpoint> out;
    out.reserve(eps.size());
    for (std::size_t i = 0; i < first.size() || i < other.size(); ++i) {
        if (i < first.size()) {
            out.push_back(first[i]);
        }
        if (i < other.size()) {
            out.push_back(other[i]);
        }
    }
    return out;
}

/// The shortest Connection Attempt Delay RFC 8305 §5 allows.
constexpr std::chrono::milliseconds min_attempt_delay{10};

/** The race of connection attempts behind async_connect_staggered().

    Attempt k+1 starts when attempt k has failed or `delay` after attempt k started,
    whichever comes first; each attempt gets `timeout`. The first connection wins and every
    other attempt is closed. The operation completes only after every attempt's handler has
    run, so no handler outlives the state it writes to. It waits on one timer, which the
    attempts' handlers cancel to wake it: one outstanding wait carries the caller's
    cancellation, and no handler is ever invoked from the initiating function.
*/
struct connect_race_op {
    using clock = std::chrono::steady_clock;

    struct attempt {
        explicit attempt(const net::any_io_executor& ex) : sock(ex) {}
        tcp::socket sock;
        clock::time_point deadline;
        bool running = true;
    };
    struct state {
        explicit state(const net::any_io_executor& ex) : wake(ex) {}
        std::vector<std::unique_ptr<attempt>> attempts;  // Stable addresses for the handlers.
        net::steady_timer wake;
        std::size_t running = 0;
        std::optional<std::size_t> winner;
        bool cancelled = false;
        clock::time_point next_start;
    };

    tcp::socket& out;
    std::vector<tcp::endpoint> eps;
    std::vector<std::error_code>* errors;  // One per endpoint; empty: not tried.
    std::chrono::milliseconds delay;
    std::chrono::milliseconds timeout;
    std::unique_ptr<state> st;

    template <class Self>
    void operator()(Self& self, boost::system::error_code = {}) {
        if (!st) {
            st = std::make_unique<state>(out.get_executor());
            errors->assign(eps.size(), std::error_code());
            if (eps.empty()) {
                net::post(out.get_executor(), std::move(self));
                return;
            }
        }
        state& s = *st;
        if (self.cancelled() != net::cancellation_type::none) {
            s.cancelled = true;
        }
        const auto now = clock::now();
        const bool over = s.winner || s.cancelled;
        for (std::size_t i = 0; i < s.attempts.size(); ++i) {
            attempt& a = *s.attempts[i];
            const bool lost = over && s.winner != i;
            if (a.running && (lost || now >= a.deadline)) {
                if (!lost) {
                    (*errors)[i] = errc::timed_out;
                }
                boost::system::error_code ignored;
                a.sock.close(ignored);  // Its handler comes back with operation_aborted.
            }
        }
        if (!over && s.attempts.size() < eps.size() && (s.running == 0 || now >= s.next_start)) {
            start(s, now, net::get_associated_executor(self));
        }
        if (s.running == 0) {
            finish(self, s);
            return;
        }
        clock::time_point wake_at = clock::time_point::max();
        if (!over) {
            for (const auto& a : s.attempts) {
                if (a->running) {
                    wake_at = std::min(wake_at, a->deadline);
                }
            }
            if (s.attempts.size() < eps.size()) {
                wake_at = std::min(wake_at, s.next_start);
            }
        }
        s.wake.expires_at(wake_at);
        s.wake.async_wait(std::move(self));
    }

  private:
    // `ex` is the operation's own executor (the handler's): the attempt's handler runs
    // there, as every step of the operation does, never concurrently with one. On the
    // sockets' executor it would race the steps on a multi-threaded io_context whose
    // handler is bound to a strand.
    template <class Executor>
    void start(state& s, clock::time_point now, const Executor& ex) {
        const std::size_t i = s.attempts.size();
        s.attempts.push_back(std::make_unique<attempt>(out.get_executor()));
        attempt& a = *s.attempts.back();
        a.deadline = saturating_add(now, timeout);
        s.next_start = saturating_add(now, delay);
        ++s.running;
        a.sock.async_connect(
            eps[i],
            net::bind_executor(ex, [&s, &a, i, errs = errors](boost::system::error_code ec) {
                a.running = false;
                --s.running;
                // An attempt that lost the race (closed, or connected too late) changes nothing.
                if (!s.winner && !s.cancelled) {
                    if (!ec) {
                        s.winner = i;
                    } else if (!(*errs)[i]) {
                        (*errs)[i] = map_io_error(ec);
                        s.next_start = clock::now();  // A failure starts the next attempt at once.
                    }
                }
                s.wake.cancel();
            }));
    }

    template <class Self>
    void finish(Self& self, state& s) {
        std::error_code ec;
        std::size_t index = eps.size();
        if (s.winner) {
            index = *s.winner;
            out = std::move(s.attempts[index]->sock);
        } else if (s.cancelled) {
            ec = std::make_error_code(std::errc::operation_canceled);
        } else {
            ec = eps.empty() ? std::error_code(errc::connection_failed) : errors->back();
        }
        st.reset();
        self.complete(ec, index);
    }
};

/** Connects `out` to one of `eps` the Happy Eyeballs way (RFC 8305 §5): one attempt after
    the other, the next when the one before has failed or `delay` after it started, each
    bounded by `timeout`; the first to connect wins. `errors` gets one entry per endpoint
    (empty for a success or an attempt never started). void(std::error_code, std::size_t
    index): on failure the last endpoint's error, `operation_canceled` when cancelled.
*/
template <class Handler>
void async_connect_staggered(tcp::socket& out, std::vector<tcp::endpoint> eps,
                             std::vector<std::error_code>& errors, std::chrono::milliseconds delay,
                             std::chrono::milliseconds timeout, Handler&& h) {
    net::async_compose<Handler, void(std::error_code, std::size_t)>(
        connect_race_op{out, std::move(eps), &errors, std::max(delay, min_attempt_delay), timeout,
                        nullptr},
        h, out.get_executor());
}

}  // namespace smtperr::asio::detail

#endif  // SMTPERR_ASIO_DETAIL_CONNECT_HPP
