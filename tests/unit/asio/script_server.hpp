// smtperr — SMTP error mapping for mail clients.
// Distributed under the Boost Software License, Version 1.0.
//
// An in-process scripted SMTP server on 127.0.0.1 (ephemeral port) for transport tests:
// a list of steps, each "expect these command lines (by prefix), then send these bytes",
// with optional delays, a TLS upgrade, closing, or silence. It records every line and the
// message data it received. C++20 coroutines on the caller's io_context: no threads. The
// coroutines are compiled once, in script_server.cpp (in every test source they cost more
// than the tests).

#ifndef SMTPERR_TESTS_ASIO_SCRIPT_SERVER_HPP
#define SMTPERR_TESTS_ASIO_SCRIPT_SERVER_HPP

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
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
                  bool implicit_tls = false);
    ~script_server();
    script_server(const script_server&) = delete;
    script_server& operator=(const script_server&) = delete;

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
    void stop();

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

    net::awaitable<std::size_t> read_some();
    net::awaitable<bool> write(std::string_view bytes);
    net::awaitable<bool> handshake();
    net::awaitable<void> run();
    /// Reads until the client goes away; anything it sends goes to `lines`/`trailing`.
    net::awaitable<void> drain();

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
