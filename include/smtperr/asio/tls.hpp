// smtperr — SMTP error mapping for mail clients.
// Distributed under the Boost Software License, Version 1.0.

#ifndef SMTPERR_ASIO_TLS_HPP
#define SMTPERR_ASIO_TLS_HPP

/// @file
/// TLS helpers for the submission transport.

#include <smtperr/config.hpp>
#include <smtperr/result.hpp>

#include <boost/asio/ssl/context.hpp>

#include <string>
#include <string_view>

namespace smtperr::asio {

/** A client TLS context with the system's trust store, TLS 1.2 or later, peer verification
    on, and compression and renegotiation off.

    async_submit() also enforces TLS 1.2+, peer verification and host-name checking on each
    connection, whatever the context says.
*/
SMTPERR_DECL boost::asio::ssl::context make_client_context();

/// The SHA-256 fingerprint of a PEM certificate's DER encoding, as upper-case hex pairs
/// separated by ':' (the form submit_options::pinned_sha256 accepts).
SMTPERR_DECL result<std::string> certificate_sha256(std::string_view pem);

}  // namespace smtperr::asio

#endif  // SMTPERR_ASIO_TLS_HPP
