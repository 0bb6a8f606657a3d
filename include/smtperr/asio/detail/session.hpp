// smtperr — SMTP error mapping for mail clients.
// Distributed under the Boost Software License, Version 1.0.

#ifndef SMTPERR_ASIO_DETAIL_SESSION_HPP
#define SMTPERR_ASIO_DETAIL_SESSION_HPP

/// @file
/// The state of one submission and the timed I/O steps it is built from. No stability
/// promise.

#include <smtperr/asio/detail/protocol.hpp>
#include <smtperr/asio/detail/tls.hpp>
#include <smtperr/asio/options.hpp>
#include <smtperr/error/errc.hpp>
#include <smtperr/pipeline/attempt.hpp>
#include <smtperr/reply/parser.hpp>
#include <smtperr/reply/reply.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/append.hpp>
#include <boost/asio/compose.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

namespace smtperr::asio::detail {

namespace net = boost::asio;
using tcp = net::ip::tcp;

/** One message of a submission and what has become of it. */
struct job {
    job(smtperr::asio::message m, const submit_options& o)
        : msg(std::move(m)),
          att(msg.recipients, classify_context{phase::greeting, o.host, {}},
              o.max_recipients_per_transaction) {}

    smtperr::asio::message msg;
    smtperr::attempt att;
    std::string wire;          ///< The encoded message data, from its MAIL until it is sent.
    std::uint64_t size = 0;    ///< What SIZE= declares for `wire`.
    phase wait = phase::mail;  ///< Whose reply it awaits, once started (for failures).
    bool started = false;      ///< A command of its current transaction went out.
    bool done = false;         ///< Its attempt has its final state.
};

/** A host name lookup the session can stop waiting for. Boost 1.81's resolver runs
    getaddrinfo on Asio's own resolver thread and can neither cancel nor time out a running
    one, and a parallel group waits for all its operations: raced directly against the timer,
    a stalled DNS server held the connect timeout and the caller's cancellation for as long
    as getaddrinfo took (30 s and more). So the lookup's handler writes its result here and
    ends `ready`, a timer the session waits on instead, which a timeout or cancellation ends
    as well. Shared with that handler, it outlives the session until getaddrinfo returns.
*/
struct lookup {
    explicit lookup(const net::any_io_executor& ex) : resolver(ex), ready(ex) {
        ready.expires_at(std::chrono::steady_clock::time_point::max());
    }
    tcp::resolver resolver;
    net::steady_timer ready;  ///< Cancelled when the lookup has ended.
    bool finished = false;
    boost::system::error_code ec;
    std::vector<tcp::endpoint> endpoints;
};

/** Everything one submission owns: the connection, the timer, buffers, what the server
    announced and, per message, the attempt that turns replies into a report.
    Heap-allocated by the operation so its address is stable while I/O is outstanding.
*/
class session {
  public:
    session(const net::any_io_executor& ex, net::ssl::context& ctx, submit_options o,
            std::vector<smtperr::asio::message> m)
        : stream(ex, ctx), timer(ex), opt(std::move(o)), log(opt.logger, opt.credentials) {
        jobs.reserve(m.size());
        for (auto& x : m) {
            jobs.emplace_back(std::move(x), opt);
        }
    }

    tls_stream stream;
    std::shared_ptr<lookup> dns;  ///< The host name lookup, when the host is no address.
    net::steady_timer timer;
    submit_options opt;
    transcript log;
    std::vector<job> jobs;  ///< In the caller's order; one report each.
    ca_store_ptr ca;
    verify_state verify;

    reply_parser parser;
    /// The reply read last, every form of a secret in it masked: what reports, events and
    /// diagnoses carry.
    smtperr::reply last;
    /// The same reply as received, which the protocol reads (capabilities, SASL challenges):
    /// a mask there would change what the server said ("STARTTLS" with the password "TLS").
    /// It may hold an echoed secret, so nothing reports or logs it.
    smtperr::reply last_received;
    std::string in;               ///< Received octets not yet parsed.
    std::array<char, 4096> rd{};  ///< One read's worth.
    std::string out;              ///< Commands waiting to be written.
    std::size_t outstanding = 0;  ///< Commands whose reply has not been read yet.
    /// The last read ended with a whole reply in `last` and octets after it that answer
    /// nothing (read_reply_op then reports a protocol violation).
    bool surplus = false;

    std::vector<tcp::endpoint> endpoints;         ///< Resolved, tried in this order.
    std::vector<std::error_code> connect_errors;  ///< Per endpoint: why its attempt failed.

    capabilities caps;
    bool tls = false;          ///< TLS is up; reads and writes go through it.
    bool healthy = false;      ///< The connection may still carry a QUIT.
    std::size_t wire_pos = 0;  ///< How much of the tail's message data went out.

    std::string sending;          ///< The commands being written.
    phase cur = phase::greeting;  ///< Whose reply is awaited (session phases, for failures).

    // AUTH exchange state.
    sasl_mechanism mech = sasl_mechanism::plain;
    std::vector<std::string> answers;  ///< Base64 answers to the next 334 challenges.
    std::size_t answer = 0;
    bool auth_error_sent = false;  ///< The exchange was cancelled or its error acknowledged.

    // Transaction state. A pipelined group is [data of `tail`] [RSET] [MAIL RCPT… DATA of
    // `head`]; without PIPELINING each command is a group of its own.
    static constexpr std::size_t none = static_cast<std::size_t>(-1);
    bool in_transactions = false;  ///< Past AUTH: failures are per message from here.
    std::size_t next = 0;          ///< The first message whose transactions are not all planned.
    std::size_t head = none;       ///< Whose MAIL/RCPT/DATA are in the group.
    std::size_t tail = none;       ///< Whose message data (after a 354) is in the group.
    /// Whose final dot got a 2yz that counts only once the rest of its group is answered in
    /// order (release_held() in submit.cpp), and that reply.
    std::size_t held = none;
    smtperr::reply held_reply;
    std::vector<std::string> rcpts;
    std::size_t rcpt_index = 0;
    bool pipelined = false;
    bool mail_ok = false;
    bool need_rset = false;  ///< The last transaction ended without its final dot.
    bool rset_sent = false;  ///< An RSET is in the group.
    bool failed = false;     ///< Some attempt says the session cannot go on.
    /// The reply that ended the session during the transactions (a 421, for instance), for
    /// the messages it left untouched.
    std::optional<smtperr::reply> ended_by;
    std::error_code ended_with;  ///< Or the failure that ended it (no reply to pass on).

    /// Queues one command line (without CRLF) and logs it, redacted when sensitive.
    void send(std::string_view line, bool sensitive = false) {
        log.client(line, sensitive);
        out.append(line.data(), line.size());
        out += "\r\n";
        ++outstanding;
    }

    /// Parses buffered input. True when a reply is complete (in `last`); `ec` on bad input.
    bool take_reply(std::error_code& ec) {
        ec.clear();
        if (in.empty()) {
            return false;
        }
        const std::size_t n = parser.feed(in, ec);
        if (ec) {
            return false;
        }
        const bool done = parser.has_reply();
        if (done) {
            // A server echoing the credentials must not get them into a report.
            last_received = smtperr::reply(parser.get());
            last = log.redact(last_received);
            log.server(parser.get());
        }
        in.erase(0, n);
        return done;
    }

    /// The last reply as received, for the protocol alone.
    reply_view received() const noexcept { return last_received.view(); }

    /// Starts `op(token)` racing the timer; `h` gets (std::error_code, std::size_t) with
    /// `errc::timed_out` when the timer won.
    template <class Op, class Handler>
    void timed(Op op, std::chrono::milliseconds d, Handler&& h);

    /// Moves the queued commands to `sending`, for the write that takes them.
    void stage() {
        sending.swap(out);
        out.clear();
    }

    void close() noexcept {
        boost::system::error_code ignored;
        stream.next_layer().shutdown(tcp::socket::shutdown_both, ignored);
        stream.next_layer().close(ignored);
        healthy = false;
    }
};

//------------------------------------------------------------------------------

/// Maps an Asio/OpenSSL failure to the transport's vocabulary.
inline std::error_code map_io_error(const boost::system::error_code& ec) {
    if (!ec) {
        return {};
    }
    if (ec == net::error::operation_aborted) {
        return std::make_error_code(std::errc::operation_canceled);
    }
    if (ec == net::error::host_not_found) {
        // The resolver found no such name (hostile-servers J-01); "try again" stays foreign.
        return errc::host_not_found;
    }
    if (ec == net::ssl::error::stream_truncated) {
        // The TCP connection closed without a TLS close_notify: a lost connection, not a
        // TLS problem to fix in the settings (hostile-servers J-09).
        return errc::connection_lost;
    }
    if (ec.category() == net::error::get_ssl_category() ||
        ec.category() == net::ssl::error::get_stream_category()) {
        return errc::tls_failed;
    }
    if (ec == net::error::eof || ec == net::error::connection_reset ||
        ec == net::error::broken_pipe || ec == net::error::connection_aborted ||
        ec == net::error::not_connected) {
        return errc::connection_lost;
    }
    return std::error_code(ec);
}

/** map_io_error() for a read, write or handshake on the open connection: what smtperr has no
    value of its own for (EHOSTUNREACH, EIO and the like) is a lost connection, ETIMEDOUT a
    timeout, so every failure a report carries is in smtperr's categories (cancellation
    stays `std::errc::operation_canceled`, as Asio callers expect).
*/
inline std::error_code session_io_error(const boost::system::error_code& ec) {
    const std::error_code e = map_io_error(ec);
    if (!e || e.category() == std::error_code(errc::connection_lost).category() ||
        e == std::errc::operation_canceled) {
        return e;
    }
    return ec == net::error::timed_out ? errc::timed_out : errc::connection_lost;
}

/// `now + d`, or the clock's end when that would overflow (a timeout of "for ever":
/// `milliseconds::max()` in nanoseconds would wrap around to a timeout at once).
inline std::chrono::steady_clock::time_point saturating_add(
    std::chrono::steady_clock::time_point now, std::chrono::milliseconds d) noexcept {
    using clock = std::chrono::steady_clock;
    const auto room =
        std::chrono::duration_cast<std::chrono::milliseconds>(clock::time_point::max() - now);
    return d >= room ? clock::time_point::max() : now + d;
}

/// One timed I/O operation: the operation races the timer in a parallel group.
template <class Op>
struct timed_op {
    session& s;
    Op op;
    std::chrono::milliseconds d;

    template <class Self>
    void operator()(Self& self) {
        s.timer.expires_at(saturating_add(std::chrono::steady_clock::now(), d));
        net::experimental::make_parallel_group(op, [&t = s.timer](auto token) {
            return t.async_wait(std::move(token));
        }).async_wait(net::experimental::wait_for_one(), std::move(self));
    }

    // async_read_some, async_write
    template <class Self>
    void operator()(Self& self, std::array<std::size_t, 2> order, boost::system::error_code ec,
                    std::size_t n, boost::system::error_code) {
        finish(self, order, ec, n);
    }
    // async_connect, async_handshake, a lookup's async_wait
    template <class Self>
    void operator()(Self& self, std::array<std::size_t, 2> order, boost::system::error_code ec,
                    boost::system::error_code) {
        finish(self, order, ec, 0);
    }

    template <class Self>
    void finish(Self& self, std::array<std::size_t, 2> order, boost::system::error_code ec,
                std::size_t n) {
        // Done before a cancellation could stop it, the operation keeps its result: what it
        // read or wrote is known.
        const bool done = order[0] == 0 && !ec;
        std::error_code e;
        if (!done && self.cancelled() != net::cancellation_type::none) {
            e = std::make_error_code(std::errc::operation_canceled);
        } else if (order[0] == 1) {
            e = errc::timed_out;
        } else {
            e = session_io_error(ec);
        }
        self.complete(e, n);
    }
};

template <class Op, class Handler>
void session::timed(Op op, std::chrono::milliseconds d, Handler&& h) {
    net::async_compose<Handler, void(std::error_code, std::size_t)>(
        timed_op<Op>{*this, std::move(op), d}, h, stream.get_executor());
}

/// Reads until a complete reply is in `s.last`: void(std::error_code).
struct read_reply_op {
    session& s;
    std::chrono::milliseconds d;
    enum class step { start, reading, posted } at = step::start;
    /// `d` bounds the whole reply, not each read: a server dripping one byte at a time
    /// must not hold the client for ever (hostile-servers J-05).
    std::chrono::steady_clock::time_point deadline{};

    template <class Self>
    void operator()(Self& self, std::error_code ec = {}, std::size_t n = 0) {
        if (at == step::posted) {
            self.complete(ec);
            return;
        }
        if (ec) {
            s.parser.reset();
            self.complete(ec);
            return;
        }
        if (at == step::reading) {
            s.in.append(s.rd.data(), n);
        } else {
            deadline = saturating_add(std::chrono::steady_clock::now(), d);
            s.surplus = false;
        }
        const bool buffered = at == step::start;
        at = step::reading;
        std::error_code pe;
        if (s.take_reply(pe)) {
            if (s.outstanding > 0) {
                --s.outstanding;
            }
            // A reply nobody asked for (RFC 2920 §3.1: match by count) is a violation.
            s.surplus = s.outstanding == 0 && !s.in.empty();
            finish(self, buffered,
                   s.surplus ? std::error_code(errc::protocol_violation) : std::error_code());
            return;
        }
        if (pe) {
            finish(self, buffered, errc::protocol_violation);
            return;
        }
        if (self.cancelled() != net::cancellation_type::none) {
            // A read done as the cancellation came: the next one would not see it.
            s.parser.reset();
            finish(self, buffered, std::make_error_code(std::errc::operation_canceled));
            return;
        }
        session& ss = s;
        s.timed(
            [&ss](auto token) {
                if (ss.tls) {
                    return ss.stream.async_read_some(net::buffer(ss.rd), std::move(token));
                }
                return ss.stream.next_layer().async_read_some(net::buffer(ss.rd), std::move(token));
            },
            std::max(std::chrono::duration_cast<std::chrono::milliseconds>(
                         deadline - std::chrono::steady_clock::now()),
                     std::chrono::milliseconds(0)),
            std::move(self));
    }

    /// Completes with `e`; through the executor when no read ran (the reply was buffered):
    /// completed inline, a hundred pipelined replies in one segment nested each caller's
    /// next step inside the last one's, twenty frames a reply, past a small stack's end.
    /// Asio runs the posted step on the handler's own executor (a strand stays a strand).
    template <class Self>
    void finish(Self& self, bool buffered, std::error_code e) {
        if (!buffered) {
            self.complete(e);
            return;
        }
        at = step::posted;
        net::post(s.stream.get_executor(), net::append(std::move(self), e));
    }
};

template <class Handler>
void async_read_reply(session& s, std::chrono::milliseconds d, Handler&& h) {
    net::async_compose<Handler, void(std::error_code)>(read_reply_op{s, d}, h,
                                                       s.stream.get_executor());
}

/// Writes `data` (a buffer sequence whose memory must stay valid) through TLS or TCP:
/// void(std::error_code, size_t).
template <class Buffers, class Handler>
void async_write_timed(session& s, const Buffers& data, std::chrono::milliseconds d, Handler&& h) {
    s.timed(
        [&s, data](auto token) {
            if (s.tls) {
                return net::async_write(s.stream, data, std::move(token));
            }
            return net::async_write(s.stream.next_layer(), data, std::move(token));
        },
        d, std::forward<Handler>(h));
}

/// Writes the queued commands (`s.out`): void(std::error_code, std::size_t).
template <class Handler>
void async_flush(session& s, std::chrono::milliseconds d, Handler&& h) {
    s.stage();
    async_write_timed(s, net::buffer(s.sending), d, std::forward<Handler>(h));
}

/** One command and its reply: writes the queued commands, if any, then reads one reply into
    `s.last`, each half timed with `d`; void(std::error_code). With nothing queued (the
    commands went out in a pipelined group) it only reads. A failed write ends it at once.
*/
struct exchange_op {
    session& s;
    std::chrono::milliseconds d;
    enum class step { start, write, read } at = step::start;

    template <class Self>
    void operator()(Self& self, std::error_code ec = {}, std::size_t = 0) {
        switch (at) {
            case step::start:
                if (!s.out.empty()) {
                    at = step::write;
                    async_flush(s, d, std::move(self));
                    return;
                }
                break;
            case step::write:
                // Cancelled once the write was done: the read, not started yet, would miss it.
                if (!ec && self.cancelled() != net::cancellation_type::none) {
                    ec = std::make_error_code(std::errc::operation_canceled);
                }
                if (ec) {
                    self.complete(ec);
                    return;
                }
                break;
            case step::read:
                self.complete(ec);
                return;
        }
        at = step::read;
        async_read_reply(s, d, std::move(self));
    }
};

template <class Handler>
void async_exchange(session& s, std::chrono::milliseconds d, Handler&& h) {
    net::async_compose<Handler, void(std::error_code)>(exchange_op{s, d}, h,
                                                       s.stream.get_executor());
}

/** The client's TLS handshake, timed with `d`: void(std::error_code). Every failure but a
    timeout or a cancellation is `errc::tls_failed`: a stalled handshake is a timeout.
*/
struct handshake_op {
    session& s;
    std::chrono::milliseconds d;
    bool started = false;

    template <class Self>
    void operator()(Self& self, std::error_code ec = {}, std::size_t = 0) {
        if (started) {
            if (!ec && !peer_verified(s.stream, s.opt, s.verify)) {
                s.verify.failed = true;  // Reported as certificate_untrusted.
                if (s.verify.reason.empty()) {
                    s.verify.reason = "no verified certificate (an anonymous cipher suite?)";
                }
                ec = errc::tls_failed;
            }
            const bool keep = !ec || ec == errc::timed_out || ec == std::errc::operation_canceled;
            self.complete(keep ? ec : std::error_code(errc::tls_failed));
            return;
        }
        started = true;
        if (prepare_tls(s.stream, s.opt, s.ca.get(), s.verify)) {
            // Through the executor: a handler is never invoked from its initiating function.
            net::post(s.stream.get_executor(),
                      net::append(std::move(self), std::error_code(errc::tls_failed)));
            return;
        }
        session& ss = s;
        s.timed(
            [&ss](auto t) {
                return ss.stream.async_handshake(net::ssl::stream_base::client, std::move(t));
            },
            d, std::move(self));
    }
};

template <class Handler>
void async_handshake(session& s, std::chrono::milliseconds d, Handler&& h) {
    net::async_compose<Handler, void(std::error_code)>(handshake_op{s, d}, h,
                                                       s.stream.get_executor());
}

/** Writes one block of message data (the last one with the commands behind it) while a
    read is outstanding, racing the data_block timer: a server that answers before the final
    dot (refusing the message early, then perhaps no longer reading) is heard at once instead
    of after a stalled write. Bytes read go to `s.in`, also when the write fails or the timer
    wins in the same moment, so a caller finds them there; void(std::error_code, std::size_t
    written).
*/
struct data_block_op {
    session& s;
    std::array<net::const_buffer, 2> data;

    template <class Self>
    void operator()(Self& self) {
        session& ss = s;
        const std::array<net::const_buffer, 2> d = data;
        s.timer.expires_at(
            saturating_add(std::chrono::steady_clock::now(), s.opt.timeouts.data_block));
        net::experimental::make_parallel_group(
            [&ss, d](auto token) {
                if (ss.tls) {
                    return net::async_write(ss.stream, d, std::move(token));
                }
                return net::async_write(ss.stream.next_layer(), d, std::move(token));
            },
            [&ss](auto token) {
                if (ss.tls) {
                    return ss.stream.async_read_some(net::buffer(ss.rd), std::move(token));
                }
                return ss.stream.next_layer().async_read_some(net::buffer(ss.rd), std::move(token));
            },
            [&ss](auto token) { return ss.timer.async_wait(std::move(token)); })
            .async_wait(net::experimental::wait_for_one(), std::move(self));
    }

    template <class Self>
    void operator()(Self& self, std::array<std::size_t, 3> order, boost::system::error_code wec,
                    std::size_t wn, boost::system::error_code rec, std::size_t rn,
                    boost::system::error_code) {
        // The read may have got bytes even when it lost the race.
        s.in.append(s.rd.data(), rn);
        std::error_code e;
        if (self.cancelled() != net::cancellation_type::none) {
            e = std::make_error_code(std::errc::operation_canceled);
        } else if (order[0] == 2) {
            e = errc::timed_out;
        } else if (order[0] == 1) {
            e = rn > 0 ? std::error_code() : session_io_error(rec);
        } else {
            e = session_io_error(wec);
        }
        self.complete(e, wn);
    }
};

template <class Handler>
void async_write_data_block(session& s, std::array<net::const_buffer, 2> data, Handler&& h) {
    net::async_compose<Handler, void(std::error_code, std::size_t)>(data_block_op{s, data}, h,
                                                                    s.stream.get_executor());
}

}  // namespace smtperr::asio::detail

#endif  // SMTPERR_ASIO_DETAIL_SESSION_HPP
