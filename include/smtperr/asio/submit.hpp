// smtperr — SMTP error mapping for mail clients.
// Distributed under the Boost Software License, Version 1.0.

#ifndef SMTPERR_ASIO_SUBMIT_HPP
#define SMTPERR_ASIO_SUBMIT_HPP

/// @file
/// async_submit(): one message over one SMTP submission session with Boost.Asio.

#include <smtperr/asio/detail/session.hpp>
#include <smtperr/asio/options.hpp>
#include <smtperr/classify/sasl.hpp>
#include <smtperr/messages/messages.hpp>
#include <smtperr/pipeline/send_report.hpp>

#include <boost/asio/append.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/coroutine.hpp>
#include <boost/asio/execution_context.hpp>
#include <boost/asio/is_executor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/system/error_code.hpp>

#include <algorithm>
#include <memory>
#include <string>
#include <type_traits>

namespace smtperr::asio {

namespace detail {

inline bool is_canceled(const std::error_code& ec) noexcept {
    return ec == std::errc::operation_canceled;
}

/// The EHLO argument: the caller's name or the address literal of the local end.
inline std::string client_name(session& s) {
    if (!s.opt.client_name.empty()) {
        return s.opt.client_name;
    }
    boost::system::error_code ec;
    const auto ep = s.stream.next_layer().local_endpoint(ec);
    if (ec) {
        return "[127.0.0.1]";
    }
    return ep.address().is_v6() ? "[IPv6:" + ep.address().to_string() + "]"
                                : "[" + ep.address().to_string() + "]";
}

/// A reply this client makes up itself (documented where used), fed to the attempt.
inline void local_reply(session& s, phase p, std::string_view text) {
    s.log.note(std::string("local reply (not from the server): ") + std::string(text));
    auto r = parse_reply(text);
    if (r) {
        s.att.on_reply(p, r.value().view());
    }
}

/// A transport failure while the reply to `p` was awaited; the connection is closed.
inline void transport_failure(session& s, phase p, std::error_code ec) {
    if (ec == errc::tls_failed && s.verify.failed) {
        ec = errc::certificate_untrusted;
    }
    s.log.note("transport failure: " + ec.message());
    s.att.on_failure(p, ec);
    s.close();
}

/// The state machine of one submission (RFC 5321 §3, RFC 3207, RFC 4954, RFC 2920).
class submit_op : public net::coroutine {
  public:
    submit_op(std::unique_ptr<session> s, std::error_code input)
        : s_(std::move(s)), input_(input) {}

    template <class Self>
    void operator()(Self& self, std::error_code ec = {}, std::size_t n = 0) {
        session& s = *s_;
        BOOST_ASIO_CORO_REENTER(*this) {
            if (input_) {
                // Nothing was sent; never complete inside the initiating function.
                BOOST_ASIO_CORO_YIELD net::post(s.stream.get_executor(), std::move(self));
                self.complete(boost::system::error_code(input_), send_report{});
                return;
            }

            // Resolve, then try each address in turn (RFC 5321 §5.1).
            s.log.note("resolving " + s.opt.host);
            BOOST_ASIO_CORO_YIELD s.timed(
                [&s](auto t) {
                    return s.resolver.async_resolve(s.opt.host, std::to_string(s.opt.port),
                                                    std::move(t));
                },
                s.opt.timeouts.connect, std::move(self));
            if (stop(self, ec)) {
                goto aborted;
            }
            if (ec) {
                s.att.on_failure(phase::greeting, errc::connection_failed);
                goto done;
            }
            for (s.next_endpoint = s.endpoints.begin(); s.next_endpoint != s.endpoints.end();
                 ++s.next_endpoint) {
                BOOST_ASIO_CORO_YIELD s.timed(
                    [&s, ep = s.next_endpoint->endpoint()](auto t) {
                        return s.stream.next_layer().async_connect(ep, std::move(t));
                    },
                    s.opt.timeouts.connect, std::move(self));
                if (stop(self, ec)) {
                    goto aborted;
                }
                if (!ec) {
                    break;
                }
                s.log.note("connect failed: " + ec.message());
                s.close();
            }
            if (s.next_endpoint == s.endpoints.end()) {
                s.att.on_failure(phase::greeting, errc::connection_failed);
                goto done;
            }
            s.healthy = true;
            s.log.note("connected to " + s.next_endpoint->endpoint().address().to_string() + ":" +
                       std::to_string(s.next_endpoint->endpoint().port()));
            s.wire = encode_body(s.msg.body);

            if (s.opt.tls == tls_mode::implicit) {
                s.cur = phase::greeting;
                BOOST_ASIO_CORO_YIELD handshake(self);
                if (stop(self, ec)) {
                    goto aborted;
                }
                if (ec) {
                    transport_failure(s, phase::greeting, errc::tls_failed);
                    goto done;
                }
                s.tls = true;
                s.log.note("TLS established");
            }

            // Greeting (RFC 5321 §4.3.1).
            s.cur = phase::greeting;
            s.outstanding = 1;
            BOOST_ASIO_CORO_YIELD async_read_reply(s, s.opt.timeouts.greeting, std::move(self));
            if (stop(self, ec)) {
                goto aborted;
            }
            if (ec) {
                transport_failure(s, phase::greeting, ec);
                goto done;
            }
            if (s.last.code != 220) {
                if (s.last.code >= 400) {
                    s.att.on_reply(phase::greeting, s.last.view());
                    goto quit;  // After 554 the server waits for QUIT (RFC 5321 §3.1).
                }
                transport_failure(s, phase::greeting, errc::protocol_violation);
                goto done;
            }
            s.att.on_reply(phase::greeting, s.last.view());

        ehlo:
            s.cur = phase::ehlo;
            s.send("EHLO " + client_name(s));
            BOOST_ASIO_CORO_YIELD flush(self, s.opt.timeouts.ehlo);
            if (stop(self, ec)) {
                goto aborted;
            }
            if (ec) {
                transport_failure(s, phase::ehlo, ec);
                goto done;
            }
            BOOST_ASIO_CORO_YIELD async_read_reply(s, s.opt.timeouts.ehlo, std::move(self));
            if (stop(self, ec)) {
                goto aborted;
            }
            if (ec) {
                transport_failure(s, phase::ehlo, ec);
                goto done;
            }
            if (s.last.code == 250) {
                s.caps = parse_ehlo(s.last.view());
                s.att.on_reply(phase::ehlo, s.last.view());
            } else if (s.last.code >= 500 && s.opt.tls == tls_mode::starttls && !s.tls) {
                // HELO cannot offer STARTTLS, and TLS is required (hostile-servers D-04).
                s.att.on_failure(phase::ehlo, errc::starttls_unavailable);
                goto quit;
            } else if (s.last.code >= 500) {
                s.cur = phase::helo;
                s.send("HELO " + client_name(s));
                BOOST_ASIO_CORO_YIELD flush(self, s.opt.timeouts.ehlo);
                if (stop(self, ec)) {
                    goto aborted;
                }
                if (ec) {
                    transport_failure(s, phase::helo, ec);
                    goto done;
                }
                BOOST_ASIO_CORO_YIELD async_read_reply(s, s.opt.timeouts.ehlo, std::move(self));
                if (stop(self, ec)) {
                    goto aborted;
                }
                if (ec) {
                    transport_failure(s, phase::helo, ec);
                    goto done;
                }
                s.caps = capabilities{};
                s.att.on_reply(phase::helo, s.last.view());
                if (s.last.code / 100 != 2) {
                    goto quit;
                }
            } else if (s.last.code >= 400) {
                s.att.on_reply(phase::ehlo, s.last.view());
                goto quit;
            } else {
                transport_failure(s, phase::ehlo, errc::protocol_violation);
                goto done;
            }

            // STARTTLS (RFC 3207): required in this mode, never skipped.
            if (s.opt.tls == tls_mode::starttls && !s.tls) {
                if (!s.caps.starttls) {
                    s.att.on_failure(phase::ehlo, errc::starttls_unavailable);
                    goto quit;
                }
                s.cur = phase::starttls;
                s.send("STARTTLS");
                BOOST_ASIO_CORO_YIELD flush(self, s.opt.timeouts.starttls);
                if (stop(self, ec)) {
                    goto aborted;
                }
                if (ec) {
                    transport_failure(s, phase::starttls, ec);
                    goto done;
                }
                BOOST_ASIO_CORO_YIELD async_read_reply(s, s.opt.timeouts.starttls, std::move(self));
                if (stop(self, ec)) {
                    goto aborted;
                }
                if (ec) {
                    // Includes bytes after the 220 (NO STARTTLS injection): fail closed.
                    transport_failure(s, phase::starttls, ec);
                    goto done;
                }
                if (s.last.code != 220) {
                    if (s.last.code >= 400) {
                        s.att.on_reply(phase::starttls, s.last.view());
                        goto quit;
                    }
                    transport_failure(s, phase::starttls, errc::protocol_violation);
                    goto done;
                }
                if (!s.in.empty() || s.parser.in_progress()) {
                    transport_failure(s, phase::starttls, errc::protocol_violation);
                    goto done;
                }
                BOOST_ASIO_CORO_YIELD handshake(self);
                if (stop(self, ec)) {
                    goto aborted;
                }
                if (ec) {
                    transport_failure(s, phase::starttls, errc::tls_failed);
                    goto done;
                }
                s.tls = true;
                s.log.note("TLS established");
                // Everything learned before TLS is discarded (RFC 3207 §4.2).
                s.caps = capabilities{};
                s.parser.reset();
                s.in.clear();
                goto ehlo;
            }

            // AUTH (RFC 4954).
            if (s.opt.credentials) {
                s.cur = phase::auth;
                if (!s.tls && !s.opt.allow_plaintext_auth) {
                    local_reply(s, phase::auth,
                                "538 5.7.11 Encryption required for requested authentication "
                                "mechanism (refused by the client: the connection is not "
                                "encrypted)");
                    goto quit;
                }
                if (!start_auth(s)) {
                    local_reply(s, phase::auth,
                                "504 5.5.4 No authentication mechanism offered by the server "
                                "fits the credentials (decided by the client)");
                    goto quit;
                }
                for (;;) {
                    BOOST_ASIO_CORO_YIELD flush(self, s.opt.timeouts.auth);
                    if (stop(self, ec)) {
                        goto aborted;
                    }
                    if (ec) {
                        transport_failure(s, phase::auth, ec);
                        goto done;
                    }
                    BOOST_ASIO_CORO_YIELD async_read_reply(s, s.opt.timeouts.auth, std::move(self));
                    if (stop(self, ec)) {
                        goto aborted;
                    }
                    if (ec) {
                        transport_failure(s, phase::auth, ec);
                        goto done;
                    }
                    if (s.last.code == 334 && s.answer < s.answers.size()) {
                        s.send(s.answers[s.answer++], true);
                        continue;
                    }
                    if (s.last.code == 334 && s.auth_error_sent) {
                        // The exchange is over; another challenge is a protocol error.
                        transport_failure(s, phase::auth, errc::protocol_violation);
                        goto done;
                    }
                    if (s.last.code == 334 && (s.mech == sasl_mechanism::xoauth2 ||
                                               s.mech == sasl_mechanism::oauthbearer)) {
                        // The error challenge (RFC 7628 §3.2.2): reported, then answered
                        // so the server can send its final reply.
                        s.att.on_reply(phase::auth, s.last.view());
                        s.send(s.mech == sasl_mechanism::xoauth2 ? "" : "AQ==", true);
                        s.auth_error_sent = true;
                        continue;
                    }
                    if (s.last.code == 334) {
                        // A challenge after the last answer: cancel (RFC 4954 §4).
                        s.att.on_failure(phase::auth, errc::protocol_violation);
                        s.send("*");
                        s.auth_error_sent = true;
                        continue;
                    }
                    if (s.last.code / 100 == 2 || s.last.code >= 400) {
                        s.att.on_reply(phase::auth, s.last.view());
                        if (s.last.code / 100 != 2 || s.auth_error_sent) {
                            goto quit;
                        }
                        break;
                    }
                    transport_failure(s, phase::auth, errc::protocol_violation);
                    goto done;
                }
            }

        transaction:
            if (!s.att.session_usable()) {
                goto quit;
            }
            if (s.caps.size && s.caps.size_limit != 0 && s.wire.size() > s.caps.size_limit) {
                // RFC 1870 §6.1: do not send what the server said it will refuse.
                local_reply(s, phase::mail,
                            "552 5.3.4 Message size exceeds the server's announced limit "
                            "(decided by the client)");
                goto quit;
            }
            s.cur = phase::mail;
            s.rcpts = s.att.transaction_recipients();
            s.pipelined = s.caps.pipelining;
            s.send(mail_command(s.msg, s.caps, s.wire.size()));
            if (s.pipelined) {
                // RFC 2920: MAIL, every RCPT and DATA in one write; replies by count.
                for (const auto& r : s.rcpts) {
                    s.send("RCPT TO:<" + r + ">");
                }
                s.send("DATA");
            }
            BOOST_ASIO_CORO_YIELD flush(self, s.opt.timeouts.mail);
            if (stop(self, ec)) {
                goto aborted;
            }
            if (ec) {
                transport_failure(s, phase::mail, ec);
                goto done;
            }
            BOOST_ASIO_CORO_YIELD async_read_reply(s, s.opt.timeouts.mail, std::move(self));
            if (stop(self, ec)) {
                goto aborted;
            }
            if (ec) {
                transport_failure(s, phase::mail, ec);
                goto done;
            }
            s.att.on_reply(phase::mail, s.last.view());
            s.mail_ok = s.last.code / 100 == 2;
            s.need_rset = s.mail_ok;
            if (!s.pipelined && !s.mail_ok) {
                goto transaction_end;
            }
            for (s.rcpt_index = 0; s.rcpt_index < s.rcpts.size(); ++s.rcpt_index) {
                s.cur = phase::rcpt;
                if (!s.pipelined) {
                    s.send("RCPT TO:<" + s.rcpts[s.rcpt_index] + ">");
                    BOOST_ASIO_CORO_YIELD flush(self, s.opt.timeouts.rcpt);
                    if (stop(self, ec)) {
                        goto aborted;
                    }
                    if (ec) {
                        transport_failure(s, phase::rcpt, ec);
                        goto done;
                    }
                }
                BOOST_ASIO_CORO_YIELD async_read_reply(s, s.opt.timeouts.rcpt, std::move(self));
                if (stop(self, ec)) {
                    goto aborted;
                }
                if (ec) {
                    transport_failure(s, phase::rcpt, ec);
                    goto done;
                }
                s.att.on_reply(phase::rcpt, s.last.view());
                if (!s.pipelined && !s.att.session_usable()) {
                    goto quit;
                }
            }
            if (!s.pipelined) {
                if (!s.att.any_recipient_accepted()) {
                    goto transaction_end;
                }
                s.send("DATA");
                BOOST_ASIO_CORO_YIELD flush(self, s.opt.timeouts.data_init);
                if (stop(self, ec)) {
                    goto aborted;
                }
                if (ec) {
                    transport_failure(s, phase::data, ec);
                    goto done;
                }
            }
            s.cur = phase::data;
            BOOST_ASIO_CORO_YIELD async_read_reply(s, s.opt.timeouts.data_init, std::move(self));
            if (stop(self, ec)) {
                goto aborted;
            }
            if (ec) {
                transport_failure(s, phase::data, ec);
                goto done;
            }
            s.att.on_reply(phase::data, s.last.view());
            if (s.last.code != 354) {
                goto transaction_end;
            }
            if (!s.att.any_recipient_accepted()) {
                // 354 although every RCPT failed (RFC 2920 §3.1): end the data at once.
                s.send(".");
            } else {
                for (s.wire_pos = 0; s.wire_pos < s.wire.size(); s.wire_pos += n) {
                    BOOST_ASIO_CORO_YIELD async_write_timed(
                        s,
                        net::buffer(s.wire.data() + s.wire_pos,
                                    std::min<std::size_t>(s.wire.size() - s.wire_pos, 65536)),
                        s.opt.timeouts.data_block, std::move(self));
                    if (stop(self, ec)) {
                        goto aborted;
                    }
                    if (ec) {
                        // The final dot did not go out: nothing can have been delivered.
                        transport_failure(s, phase::data, ec);
                        goto done;
                    }
                }
                s.log.note("C: <message data, " + std::to_string(s.wire.size()) +
                           " octets, ending with .>");
                ++s.outstanding;
            }
            s.cur = phase::data_end;
            if (!s.out.empty()) {
                BOOST_ASIO_CORO_YIELD flush(self, s.opt.timeouts.data_block);
                if (stop(self, ec)) {
                    goto aborted;
                }
                if (ec) {
                    transport_failure(s, phase::data_end, ec);
                    goto done;
                }
            }
            BOOST_ASIO_CORO_YIELD async_read_reply(s, s.opt.timeouts.data_end, std::move(self));
            if (stop(self, ec)) {
                goto aborted;
            }
            if (ec) {
                transport_failure(s, phase::data_end, ec);
                goto done;
            }
            s.att.on_reply(phase::data_end, s.last.view());
            s.need_rset = false;

        transaction_end:
            if (s.att.session_usable() && s.att.more_transactions()) {
                if (s.need_rset) {
                    s.cur = phase::rset;
                    s.send("RSET");
                    BOOST_ASIO_CORO_YIELD flush(self, s.opt.timeouts.mail);
                    if (stop(self, ec)) {
                        goto aborted;
                    }
                    if (ec) {
                        transport_failure(s, phase::rset, ec);
                        goto done;
                    }
                    BOOST_ASIO_CORO_YIELD async_read_reply(s, s.opt.timeouts.mail, std::move(self));
                    if (stop(self, ec)) {
                        goto aborted;
                    }
                    if (ec) {
                        transport_failure(s, phase::rset, ec);
                        goto done;
                    }
                    s.att.on_reply(phase::rset, s.last.view());
                    if (s.last.code / 100 != 2) {
                        goto quit;
                    }
                }
                s.att.next_transaction();
                goto transaction;
            }

        quit:
            if (s.healthy) {
                s.cur = phase::quit;
                s.send("QUIT");
                BOOST_ASIO_CORO_YIELD flush(self, s.opt.timeouts.quit);
                if (stop(self, ec)) {
                    goto aborted;
                }
                if (!ec) {
                    BOOST_ASIO_CORO_YIELD async_read_reply(s, s.opt.timeouts.quit, std::move(self));
                    if (stop(self, ec)) {
                        goto aborted;
                    }
                    if (!ec) {
                        s.att.on_reply(phase::quit, s.last.view());
                    }
                }
            }
            s.close();

        done:
            self.complete(boost::system::error_code(), report(s));
            return;

        aborted:
            s.att.on_failure(s.cur, std::make_error_code(std::errc::operation_canceled));
            s.close();
            self.complete(boost::system::error_code(net::error::operation_aborted), report(s));
            return;
        }
    }

  private:
    template <class Self>
    static bool stop(Self& self, const std::error_code& ec) {
        return is_canceled(ec) || self.cancelled() != net::cancellation_type::none;
    }

    template <class Self>
    void flush(Self& self, std::chrono::milliseconds d) {
        session& s = *s_;
        s.sending.swap(s.out);
        s.out.clear();
        async_write_timed(s, net::buffer(s.sending), d, std::move(self));
    }

    template <class Self>
    void handshake(Self& self) {
        session& s = *s_;
        if (prepare_tls(s.stream, s.opt, s.ca.get(), s.verify)) {
            net::post(s.stream.get_executor(),
                      net::append(std::move(self), std::error_code(errc::tls_failed)));
            return;
        }
        s.timed(
            [&s](auto t) {
                return s.stream.async_handshake(net::ssl::stream_base::client, std::move(t));
            },
            s.opt.tls == tls_mode::implicit ? s.opt.timeouts.connect : s.opt.timeouts.starttls,
            std::move(self));
    }

    // Chooses the mechanism and queues the AUTH command; false when none fits.
    static bool start_auth(session& s) {
        const auto m = choose_mechanism(s.opt, s.caps);
        if (!m) {
            return false;
        }
        s.mech = *m;
        // Only successful replies were fed so far: a fresh attempt that knows the
        // mechanism classifies AUTH replies (XOAUTH2 challenges) correctly.
        s.att = smtperr::attempt(
            s.msg.recipients, classify_context{phase::greeting, s.opt.host, mechanism_name(s.mech)},
            s.opt.max_recipients_per_transaction);
        const auto& c = *s.opt.credentials;
        std::string cmd = "AUTH " + std::string(mechanism_name(s.mech));
        s.answers.clear();
        s.answer = 0;
        if (s.mech == sasl_mechanism::login) {
            s.answers = {base64_encode(c.user), base64_encode(c.password)};
        } else {
            std::string ir = base64_encode(sasl_response(s.mech, c));
            // RFC 4954 §4: no initial response when the line would pass 512 octets.
            if (cmd.size() + 1 + ir.size() + 2 <= 512) {
                cmd += ' ';
                cmd += ir;
            } else {
                s.answers.push_back(std::move(ir));
            }
        }
        s.send(cmd, true);
        return true;
    }

    static send_report report(session& s) {
        send_report r = s.att.finish();
        if (s.verify.failed) {
            // The certificate's identity, for the user to compare (untrusted, sanitized).
            const std::string text = sanitize_server_text(describe(s.verify));
            const auto patch = [&](diagnosis_record& d) {
                if (d.code == errc::certificate_untrusted) {
                    d.server_text = text;
                }
            };
            patch(r.deciding);
            for (auto& rr : r.recipients) {
                if (rr.diagnosis) {
                    patch(*rr.diagnosis);
                }
            }
        }
        return r;
    }

    std::unique_ptr<session> s_;
    std::error_code input_;
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
    after cancellation (the report then says what was known, with the recipients pending or,
    when cancelled after the final dot, possibly delivered).

    @par Executor
    I/O objects are created on `ex`. The handler and every intermediate step run on the
    handler's associated executor (default: `ex`); the handler is never invoked from within
    async_submit(). No threads or strands are created: with a multi-threaded io_context,
    bind a strand to the handler.

    @par Per-Operation Cancellation
    Terminal cancellation closes the connection and completes with
    `asio::error::operation_aborted`.

    @par Object lifetimes
    `ssl_ctx` must outlive the operation. `opt` and `msg` are copied. The logger, if any, is
    shared.

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
    std::error_code input = detail::validate(opt, msg);
    auto s = std::make_unique<detail::session>(boost::asio::any_io_executor(ex), ssl_ctx, opt,
                                               std::move(msg));
    if (!input && !opt.ca_file.empty()) {
        s->ca = detail::load_ca_file(opt.ca_file);
        if (!s->ca) {
            input = errc::invalid_option;
        }
    }
    return boost::asio::async_compose<CompletionToken,
                                      void(boost::system::error_code, send_report)>(
        detail::submit_op(std::move(s), input), token, ex);
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

}  // namespace smtperr::asio

#endif  // SMTPERR_ASIO_SUBMIT_HPP
