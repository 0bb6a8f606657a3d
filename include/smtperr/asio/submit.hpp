// smtperr — SMTP error mapping for mail clients.
// Distributed under the Boost Software License, Version 1.0.

#ifndef SMTPERR_ASIO_SUBMIT_HPP
#define SMTPERR_ASIO_SUBMIT_HPP

/// @file
/// async_submit() and async_submit_batch(): one message, or several, over one SMTP
/// submission session with Boost.Asio.

#include <smtperr/asio/options.hpp>
#include <smtperr/config.hpp>
#include <smtperr/error/errc.hpp>
#include <smtperr/pipeline/send_report.hpp>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/execution/executor.hpp>
#include <boost/asio/execution_context.hpp>
#include <boost/asio/is_executor.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/system/error_code.hpp>

#include <memory>
#include <type_traits>
#include <utility>
#include <vector>

namespace smtperr::asio {

namespace detail {

/// What the session completes with: async_submit()'s handler, type-erased.
using submit_handler =
    boost::asio::any_completion_handler<void(boost::system::error_code, send_report)>;
/// What the session completes with: async_submit_batch()'s handler, type-erased.
using batch_handler =
    boost::asio::any_completion_handler<void(boost::system::error_code, std::vector<send_report>)>;

/// A session made and not started yet, with the caller-input error that will end it before
/// any I/O (defined in src/asio/submit.cpp).
struct prepared_session;
/// Deletes a prepared_session where its type is complete.
struct prepared_deleter {
    SMTPERR_DECL void operator()(prepared_session* p) const noexcept;
};
using prepared_ptr = std::unique_ptr<prepared_session, prepared_deleter>;

/// Makes the session for `msgs` on `ex` at the call, with copies of `opt` and `msgs`, and
/// checks the caller's input (see async_submit()).
SMTPERR_DECL prepared_ptr prepare_session(const boost::asio::any_io_executor& ex,
                                          boost::asio::ssl::context& ssl_ctx,
                                          const submit_options& opt, std::vector<message> msgs);
/// Starts `p`. The session is compiled once, in the library: a program instantiates only
/// this call, whatever its completion tokens. Throws std::invalid_argument for an empty
/// `handler`.
SMTPERR_DECL void start_session(prepared_ptr p, submit_handler handler);
/// The same, completing with one report per message (see async_submit_batch()).
SMTPERR_DECL void start_session(prepared_ptr p, batch_handler handler);

/// The initiation of async_submit() and async_submit_batch(): `Erased` is the handler type
/// start_session() takes.
template <class Erased>
struct initiate_session {
    template <class Handler>
    void operator()(Handler&& handler, prepared_ptr p) const {
        start_session(std::move(p), Erased(std::forward<Handler>(handler)));
    }
};

}  // namespace detail

//------------------------------------------------------------------------------

/** Submits one message over one SMTP session: connect, greeting, EHLO, STARTTLS or
    implicit TLS, AUTH, MAIL/RCPT/DATA (pipelined when offered, further transactions when
    the server limits recipients), QUIT.

    Every reply goes through smtperr::reply_parser and smtperr::attempt; the report says
    per recipient what happened. Caller input is checked first: CR, LF, NUL or angle
    brackets in an address, no recipients or unusable options complete with the matching
    @ref errc and nothing is sent (no connection is made).

    @par Handler signature
    @code void(boost::system::error_code ec, smtperr::send_report report) @endcode
    `ec` is empty whenever the report comes from talking to the server (including every
    server or transport failure, which the report describes); it is an @ref errc for
    invalid caller input (the report is then empty) and `asio::error::operation_aborted`
    after cancellation (the report then says what was known: a verdict already read stands,
    the other recipients are pending or, when cancelled after the final dot, possibly
    delivered).

    @par Executor
    I/O objects are created on `ex`. The handler and every intermediate step (the handlers
    of the parallel connection attempts included) run on the handler's associated executor
    (default: `ex`); the handler is never invoked from within async_submit(). No threads or
    strands are created: with a multi-threaded io_context, bind a strand to the handler.

    @par Per-Operation Cancellation
    Terminal cancellation closes the connection and completes with
    `asio::error::operation_aborted`.

    @par Ending the session
    After the reply to QUIT, a TLS session is closed with close_notify (waiting at most
    `opt.timeouts.tls_shutdown` for the server's). A reply that arrives while message data
    is still being written (a server refusing the message before its end) is taken as the
    reply to the data at once, and the connection, left inside the data, is closed.

    @par Object lifetimes
    `ssl_ctx` must outlive the operation, from the call on (the session is made at the call,
    also when a token such as `asio::deferred` starts it later). `opt` and `msg` are copied
    at the call. The logger, if any, is shared.

    @par Secrets
    Passwords and tokens are sent only over TLS (unless `opt.allow_plaintext_auth`), and are
    never logged: the transcript shows "AUTH PLAIN <redacted>" and "<redacted>".

    @par Specification
    RFC 5321, RFC 3207, RFC 4954, RFC 2920, RFC 1870, RFC 7628, RFC 8314.
*/
template <class Executor,
          BOOST_ASIO_COMPLETION_TOKEN_FOR(void(boost::system::error_code, send_report))
              CompletionToken,
          typename std::enable_if_t<boost::asio::execution::is_executor<Executor>::value ||
                                        boost::asio::is_executor<Executor>::value,
                                    int> = 0>
auto async_submit(const Executor& ex, boost::asio::ssl::context& ssl_ctx, const submit_options& opt,
                  message msg, CompletionToken&& token) {
    std::vector<message> one;
    one.push_back(std::move(msg));
    auto p =
        detail::prepare_session(boost::asio::any_io_executor(ex), ssl_ctx, opt, std::move(one));
    return boost::asio::async_initiate<CompletionToken,
                                       void(boost::system::error_code, send_report)>(
        detail::initiate_session<detail::submit_handler>{}, token, std::move(p));
}

/// Same as above, with the executor of `ctx` (an io_context, for instance).
template <class ExecutionContext,
          BOOST_ASIO_COMPLETION_TOKEN_FOR(void(boost::system::error_code, send_report))
              CompletionToken,
          typename std::enable_if_t<
              std::is_convertible_v<ExecutionContext&, boost::asio::execution_context&>, int> = 0>
auto async_submit(ExecutionContext& ctx, boost::asio::ssl::context& ssl_ctx,
                  const submit_options& opt, message msg, CompletionToken&& token) {
    return async_submit(ctx.get_executor(), ssl_ctx, opt, std::move(msg),
                        std::forward<CompletionToken>(token));
}

/** Submits several messages over one SMTP session, in order: one connection, one greeting,
    EHLO, TLS and AUTH, then one transaction per message (more when the server limits
    recipients), QUIT.

    With PIPELINING (RFC 2920 §3.1) the message data and final dot of one message go out in
    one write with MAIL, every RCPT and DATA of the next, and the replies are read in that
    order: one round trip per message in steady state. Without it, every command waits for
    its reply. A transaction that ends without its final dot (MAIL, every RCPT or DATA
    refused) is followed by RSET.

    @par Handler signature
    @code void(boost::system::error_code ec, std::vector<smtperr::send_report> reports) @endcode
    One report per message, in the order of `msgs`, each as async_submit() would give it for
    that message alone: a failure of one message's transaction (its MAIL, RCPTs, DATA or
    final dot) is in its report only. `ec` is as for async_submit(); invalid caller input in
    any message refuses the whole batch before anything is sent (`reports` is then empty),
    and an empty batch completes at once with no reports and no connection.

    @par When the session ends early
    A failure before the transactions (greeting, EHLO, STARTTLS, TLS, AUTH) is in every
    report. When the connection breaks, times out or is cancelled during the transactions,
    each message not yet decided gets that failure at the phase it was waiting for: the one
    whose final dot went out without a reply is `possibly_delivered`, one whose MAIL, RCPT
    or DATA reply was pending is deferred, and one never started (not attempted) is
    reported as if its MAIL reply were pending: deferred with the same condition, nothing
    delivered. When a reply ends the session (a 421, or a connection- or account-scoped
    refusal of MAIL), it is in the report of the message it answered, and the messages it left
    untouched get that reply as the answer to their MAIL (a 421 defers them); a reply out of
    place (a 2yz to DATA) ends it as a `protocol_violation` for them.

    Executor, cancellation, lifetimes and secrets are as for async_submit(); `msgs` is moved.
*/
template <class Executor,
          BOOST_ASIO_COMPLETION_TOKEN_FOR(void(boost::system::error_code, std::vector<send_report>))
              CompletionToken,
          typename std::enable_if_t<boost::asio::execution::is_executor<Executor>::value ||
                                        boost::asio::is_executor<Executor>::value,
                                    int> = 0>
auto async_submit_batch(const Executor& ex, boost::asio::ssl::context& ssl_ctx,
                        const submit_options& opt, std::vector<message> msgs,
                        CompletionToken&& token) {
    auto p =
        detail::prepare_session(boost::asio::any_io_executor(ex), ssl_ctx, opt, std::move(msgs));
    return boost::asio::async_initiate<CompletionToken,
                                       void(boost::system::error_code, std::vector<send_report>)>(
        detail::initiate_session<detail::batch_handler>{}, token, std::move(p));
}

/// Same as above, with the executor of `ctx` (an io_context, for instance).
template <class ExecutionContext,
          BOOST_ASIO_COMPLETION_TOKEN_FOR(void(boost::system::error_code, std::vector<send_report>))
              CompletionToken,
          typename std::enable_if_t<
              std::is_convertible_v<ExecutionContext&, boost::asio::execution_context&>, int> = 0>
auto async_submit_batch(ExecutionContext& ctx, boost::asio::ssl::context& ssl_ctx,
                        const submit_options& opt, std::vector<message> msgs,
                        CompletionToken&& token) {
    return async_submit_batch(ctx.get_executor(), ssl_ctx, opt, std::move(msgs),
                              std::forward<CompletionToken>(token));
}

}  // namespace smtperr::asio

#endif  // SMTPERR_ASIO_SUBMIT_HPP
