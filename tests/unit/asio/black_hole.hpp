// smtperr — SMTP error mapping for mail clients.
// Distributed under the Boost Software License, Version 1.0.
//
// A "black hole" on loopback: a listener whose accept queue is already full, so the kernel
// drops further SYNs and a connect to it neither succeeds nor fails until its timeout, like
// an address whose packets vanish on the way (hostile-servers J-03).

#ifndef SMTPERR_TESTS_ASIO_BLACK_HOLE_HPP
#define SMTPERR_TESTS_ASIO_BLACK_HOLE_HPP

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/v6_only.hpp>

namespace smtperr::test {

/// A listener on `addr` that never completes another handshake: its accept queue (one
/// connection, backlog 0) is already full, and the kernel drops the SYNs beyond it.
struct black_hole {
    black_hole(boost::asio::io_context& ioc, const boost::asio::ip::address& addr,
               unsigned short port = 0)
        : acceptor(ioc), filler(ioc) {
        const boost::asio::ip::tcp::endpoint at(addr, port);
        acceptor.open(at.protocol());
        if (addr.is_v6()) {
            acceptor.set_option(boost::asio::ip::v6_only(true));
        }
        acceptor.bind(at);
        acceptor.listen(0);
        filler.connect(acceptor.local_endpoint());
    }
    boost::asio::ip::tcp::endpoint endpoint() const { return acceptor.local_endpoint(); }

    boost::asio::ip::tcp::acceptor acceptor;
    boost::asio::ip::tcp::socket filler;
};

}  // namespace smtperr::test

#endif  // SMTPERR_TESTS_ASIO_BLACK_HOLE_HPP
