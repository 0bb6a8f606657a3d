// smtperr — SMTP error mapping for mail clients.
// Distributed under the Boost Software License, Version 1.0.
//
// An in-process scripted SMTP server on 127.0.0.1 (ephemeral port) for transport tests:
// a list of steps, each "expect these command lines (by prefix), then send these bytes",
// with optional delays, a TLS upgrade, closing, or silence. It records every line and the
// message data it received. C++20 coroutines on the caller's io_context: no threads.

#ifndef SMTPERR_TESTS_ASIO_SCRIPT_SERVER_HPP
#define SMTPERR_TESTS_ASIO_SCRIPT_SERVER_HPP

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

namespace smtperr::test {

namespace net = boost::asio;

/// One exchange of the script.
struct step {
    /// Command lines expected before replying, each matched by case-insensitive prefix
    /// (several lines: a pipelined group, all must arrive before the reply is sent).
    std::vector<std::string> expect;
    /// The bytes sent back, verbatim (several replies or injected bytes allowed).
    std::string reply;
    std::chrono::milliseconds delay{0};  ///< Wait before replying.
    bool data = false;                   ///< First read message data up to CRLF.CRLF (into `data`).
    bool starttls = false;  ///< After the reply, run the server side of a TLS handshake.
    bool close = false;     ///< After the reply, close the connection.
    bool silent = false;    ///< Do not reply; wait until the client goes away.
};

/// Shorthand: expect one command, send one reply.
inline step expect(std::string cmd, std::string reply) {
    step s;
    s.expect.push_back(std::move(cmd));
    s.reply = std::move(reply);
    return s;
}

/// Shorthand: send bytes without waiting for a command (the greeting).
inline step send(std::string reply) {
    step s;
    s.reply = std::move(reply);
    return s;
}

class script_server {
  public:
    /// `tls`: the server context for STARTTLS and implicit TLS (may be null).
    script_server(net::io_context& ioc, std::vector<step> script, net::ssl::context* tls = nullptr,
                  bool implicit_tls = false)
        : ioc_(ioc),
          acceptor_(ioc, {net::ip::make_address("127.0.0.1"), 0}),
          script_(std::move(script)),
          tls_(tls),
          implicit_(implicit_tls) {
        net::co_spawn(ioc_, run(), net::detached);
    }

    std::uint16_t port() const { return acceptor_.local_endpoint().port(); }

    /// Every command line received, without CRLF, in order (message data excluded).
    std::vector<std::string> lines;
    /// The message data received (up to and including the final ".\r\n").
    std::string data;
    /// How many read_some calls returned bytes, per step index (pipelining checks).
    std::vector<std::size_t> reads_per_step;
    /// Bytes the client sent after the script ended (or after a failed handshake).
    std::string trailing;
    /// Plaintext the client sent behind STARTTLS, before the handshake: discarded, as a
    /// server that resists command injection does (nothing may follow STARTTLS in clear).
    std::string after_starttls;
    int connections = 0;
    bool tls_ok = false;  ///< A server-side handshake succeeded.
    bool handshake_failed = false;
    std::string mismatch;   ///< The first line that did not match the script ("" if none).
    bool finished = false;  ///< The connection is over.

    /// True when some received line starts with `prefix` (case-insensitive).
    bool saw(std::string_view prefix) const {
        for (const auto& l : lines) {
            if (starts_with(l, prefix)) {
                return true;
            }
        }
        return false;
    }

    /// Closes the acceptor and the connection, so the io_context runs dry.
    void stop() {
        boost::system::error_code ec;
        acceptor_.close(ec);
        if (stream_) {
            stream_->lowest_layer().close(ec);
        }
        if (timer_) {
            timer_->cancel();
        }
    }

    static bool starts_with(std::string_view line, std::string_view prefix) {
        if (line.size() < prefix.size()) {
            return false;
        }
        for (std::size_t i = 0; i < prefix.size(); ++i) {
            auto up = [](char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 32) : c; };
            if (up(line[i]) != up(prefix[i])) {
                return false;
            }
        }
        return true;
    }

  private:
    using stream_t = net::ssl::stream<net::ip::tcp::socket>;

    net::awaitable<std::size_t> read_some() {
        std::array<char, 4096> buf{};
        std::size_t n = 0;
        boost::system::error_code ec;
        if (secure_) {
            std::tie(ec, n) = co_await stream_->async_read_some(net::buffer(buf),
                                                                net::as_tuple(net::use_awaitable));
        } else {
            std::tie(ec, n) = co_await stream_->next_layer().async_read_some(
                net::buffer(buf), net::as_tuple(net::use_awaitable));
        }
        if (ec) {
            co_return 0;
        }
        in_.append(buf.data(), n);
        co_return n;
    }

    net::awaitable<bool> write(std::string_view bytes) {
        boost::system::error_code ec;
        if (secure_) {
            std::tie(ec, std::ignore) = co_await net::async_write(
                *stream_, net::buffer(bytes), net::as_tuple(net::use_awaitable));
        } else {
            std::tie(ec, std::ignore) = co_await net::async_write(
                stream_->next_layer(), net::buffer(bytes), net::as_tuple(net::use_awaitable));
        }
        co_return !ec;
    }

    net::awaitable<bool> handshake() {
        auto [ec] = co_await stream_->async_handshake(net::ssl::stream_base::server,
                                                      net::as_tuple(net::use_awaitable));
        if (ec) {
            handshake_failed = true;
            co_return false;
        }
        secure_ = true;
        tls_ok = true;
        co_return true;
    }

    net::awaitable<void> run() {
        auto [ec, sock] = co_await acceptor_.async_accept(net::as_tuple(net::use_awaitable));
        if (ec) {
            finished = true;
            co_return;
        }
        ++connections;
        static net::ssl::context dummy(net::ssl::context::tls_server);
        stream_ = std::make_unique<stream_t>(std::move(sock), tls_ != nullptr ? *tls_ : dummy);
        timer_ = std::make_unique<net::steady_timer>(ioc_);
        if (implicit_ && !co_await handshake()) {
            co_await drain();
            co_return;
        }
        for (std::size_t i = 0; i < script_.size(); ++i) {
            const step& st = script_[i];
            reads_per_step.push_back(0);
            for (const auto& want : st.expect) {
                std::size_t eol;
                while ((eol = in_.find("\r\n")) == std::string::npos) {
                    if (co_await read_some() == 0) {
                        finished = true;
                        co_return;
                    }
                    ++reads_per_step.back();
                }
                std::string line = in_.substr(0, eol);
                in_.erase(0, eol + 2);
                lines.push_back(line);
                if (!starts_with(line, want)) {
                    mismatch = line;
                    co_await write("500 5.5.2 unexpected command\r\n");
                    co_await drain();
                    co_return;
                }
            }
            if (st.data) {
                const auto find_end = [this]() -> std::size_t {
                    if (in_.rfind(".\r\n", 0) == 0) {
                        return 3;  // A lone dot: no data at all.
                    }
                    const auto p = in_.find("\r\n.\r\n");
                    return p == std::string::npos ? p : p + 5;
                };
                std::size_t len;
                while ((len = find_end()) == std::string::npos) {
                    if (co_await read_some() == 0) {
                        finished = true;
                        co_return;
                    }
                }
                data = in_.substr(0, len);
                in_.erase(0, len);
            }
            if (st.silent) {
                co_await drain();
                co_return;
            }
            if (st.delay.count() > 0) {
                timer_->expires_after(st.delay);
                co_await timer_->async_wait(net::as_tuple(net::use_awaitable));
            }
            if (!st.reply.empty() && !co_await write(st.reply)) {
                finished = true;
                co_return;
            }
            if (st.close) {
                boost::system::error_code ignored;
                stream_->lowest_layer().shutdown(net::ip::tcp::socket::shutdown_both, ignored);
                stream_->lowest_layer().close(ignored);
                finished = true;
                co_return;
            }
            if (st.starttls) {
                after_starttls += in_;
                in_.clear();
                if (!co_await handshake()) {
                    co_await drain();
                    co_return;
                }
            }
        }
        co_await drain();
    }

    // Reads until the client goes away; anything it sends goes to `lines`/`trailing`.
    net::awaitable<void> drain() {
        while (co_await read_some() != 0) {
        }
        trailing = in_;
        std::size_t eol;
        std::string rest = in_;
        while ((eol = rest.find("\r\n")) != std::string::npos) {
            lines.push_back(rest.substr(0, eol));
            rest.erase(0, eol + 2);
        }
        finished = true;
    }

    net::io_context& ioc_;
    net::ip::tcp::acceptor acceptor_;
    std::vector<step> script_;
    net::ssl::context* tls_;
    bool implicit_;
    bool secure_ = false;
    std::unique_ptr<stream_t> stream_;
    std::unique_ptr<net::steady_timer> timer_;
    std::string in_;
};

}  // namespace smtperr::test

#endif  // SMTPERR_TESTS_ASIO_SCRIPT_SERVER_HPP
