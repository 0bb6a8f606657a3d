// smtperr — SMTP error mapping for mail clients.
// Distributed under the Boost Software License, Version 1.0.

#include "unit/asio/script_server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <array>
#include <tuple>

namespace smtperr::test {

script_server::script_server(net::io_context& ioc, std::vector<step> script, net::ssl::context* tls,
                             bool implicit_tls)
    : ioc_(ioc),
      acceptor_(ioc, {net::ip::make_address("127.0.0.1"), 0}),
      script_(std::move(script)),
      tls_(tls),
      implicit_(implicit_tls) {
    net::co_spawn(ioc_, run(), net::detached);
}

script_server::~script_server() = default;

void script_server::stop() {
    boost::system::error_code ec;
    acceptor_.close(ec);
    if (stream_) {
        stream_->lowest_layer().close(ec);
    }
    if (timer_) {
        timer_->cancel();
    }
}

net::awaitable<std::size_t> script_server::read_some() {
    std::array<char, 4096> buf{};
    std::size_t n = 0;
    boost::system::error_code ec;
    if (secure_) {
        std::tie(ec, n) =
            co_await stream_->async_read_some(net::buffer(buf), net::as_tuple(net::use_awaitable));
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

net::awaitable<bool> script_server::write(std::string_view bytes) {
    boost::system::error_code ec;
    if (secure_) {
        std::tie(ec, std::ignore) = co_await net::async_write(*stream_, net::buffer(bytes),
                                                              net::as_tuple(net::use_awaitable));
    } else {
        std::tie(ec, std::ignore) = co_await net::async_write(
            stream_->next_layer(), net::buffer(bytes), net::as_tuple(net::use_awaitable));
    }
    co_return !ec;
}

net::awaitable<bool> script_server::handshake() {
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

net::awaitable<void> script_server::run() {
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

net::awaitable<void> script_server::drain() {
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

}  // namespace smtperr::test
