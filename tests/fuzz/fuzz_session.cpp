// smtperr — SMTP error mapping for mail clients.
// Distributed under the Boost Software License, Version 1.0.

// libFuzzer target (hostile-servers P-03) for the transport: smtperr::asio::async_submit() against
// a fake server on 127.0.0.1 whose replies come from the fuzz input. Also replayed by
// smtperr_fuzz_regressions_session.
//
// Input layout:
//   byte 0  bit 0: TLS mode (0 none, 1 starttls); bit 1: credentials; bit 2: a token instead
//           of a password; bits 3-4: 1-3 recipients; bit 5: one recipient per transaction;
//           bit 6: a 3000-octet body with dot lines instead of a short one; bit 7: umlaut
//           domains for the sender and the recipients, and a non-ASCII local part for the
//           third recipient
//   byte 1  bits 0-1: the mechanism preference list; bit 2: allow_plaintext_auth; bit 3: a
//           batch (async_submit_batch) of that message and a second one, with another
//           sender and one recipient, pipelined behind it when the server offers PIPELINING
//   rest    reply chunks, separated by 0xFF. In a chunk, 0xFE and a selector byte stand for
//           a form of a secret (the server echoing credentials back); a chunk that is just
//           0xFD is a stall: the server stays silent until the client's timeout fires.
//
// The client and the server run on one io_context in this thread. The server reads
// whatever the client sends, and only when neither side can make progress (poll() runs no
// handler) does it send its next chunk; after the last one it closes the connection. So a
// run does not depend on timing, and only stalls wait for a timer.
//
// Checked: exactly one completion (one report per message); outcome `sent` (or any accepted
// recipient) only when the server sent a 2yz reply after it had received that message's
// final dot; a recipient accepted only when, the replies matched to the client's commands
// by count as RFC 2920 §3.1 matches them, its RCPT and the final dot of its transaction
// were answered 2yz; neither the password nor the
// token in the debug transcript in any form (tests/support/leak_forms.hpp: plain,
// URL-encoded, base64 standard and URL-safe at every offset); with tls_mode::starttls no
// AUTH or mail transaction command ever reaches the server (it never does TLS), and without
// TLS none of AUTH either unless allow_plaintext_auth; no non-ASCII octet in a MAIL or RCPT
// line unless MAIL asked for SMTPUTF8.

#include <smtperr/asio/submit.hpp>
#include <smtperr/classify/sasl.hpp>
#include <smtperr/reply/parser.hpp>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/write.hpp>

#include <spdlog/logger.h>
#include <spdlog/sinks/base_sink.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "../support/leak_forms.hpp"
#include "fuzz_check.hpp"

namespace smtperr_fuzz {
namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;

constexpr std::string_view user = "fuzz.user@example.org";
constexpr std::string_view password = "Fz9-pw!S3cret%/+xQ";
constexpr std::string_view token = "ya29.Fz-T0ken_9f8e7d6c5b4a3f2e1d0c";

const std::vector<std::string>& password_forms() {
    static const std::vector<std::string> forms = smtperr::test::leak_forms(password);
    return forms;
}

const std::vector<std::string>& token_forms() {
    static const std::vector<std::string> forms = smtperr::test::leak_forms(token);
    return forms;
}

/// What the server sends for an echo selector: forms of the secrets a hostile server might
/// reflect (the client's own AUTH blobs included).
std::string echo(std::uint8_t selector) {
    const std::string pw(password);
    const std::string tok(token);
    switch (selector % 8U) {
        case 0:
            return pw;
        case 1:
            return tok;
        case 2:
            return smtperr::base64_encode(pw);
        case 3:
            return smtperr::base64_encode(std::string(1, '\0') + std::string(user) + '\0' + pw);
        case 4:
            return password_forms()[1];  // URL-encoded
        case 5:
            return smtperr::base64_encode("user=" + std::string(user) + "\x01" + "auth=Bearer " +
                                          tok + "\x01\x01");
        case 6:
            return token_forms()[1];  // URL-encoded
        default:
            return smtperr::base64_encode("n,a=" + std::string(user) + ",\x01" + "auth=Bearer " +
                                          tok + "\x01\x01");
    }
}

/// The transcript: every message the library logs, at debug level.
class capture_sink final : public spdlog::sinks::base_sink<std::mutex> {
  public:
    std::string text;

  protected:
    void sink_it_(const spdlog::details::log_msg& msg) override {
        text.append(msg.payload.data(), msg.payload.size());
        text += '\n';
    }
    void flush_() override {}
};

struct fixture {
    net::io_context ioc;
    net::executor_work_guard<net::io_context::executor_type> work{ioc.get_executor()};
    tcp::acceptor acceptor{ioc, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0)};
    net::ssl::context ssl{net::ssl::context::tls_client};
    std::shared_ptr<capture_sink> sink = std::make_shared<capture_sink>();
    std::shared_ptr<spdlog::logger> logger = std::make_shared<spdlog::logger>("fuzz", sink);

    fixture() { logger->set_level(spdlog::level::debug); }
};

fixture& the_fixture() {
    static fixture f;
    return f;
}

struct script {
    std::vector<std::string> chunks;
    std::vector<bool> stall;
};

script parse_script(std::string_view in) {
    script s;
    std::string cur;
    for (std::size_t i = 0; i <= in.size(); ++i) {
        if (i == in.size() || static_cast<unsigned char>(in[i]) == 0xFFU) {
            const bool stall = cur.size() == 1 && static_cast<unsigned char>(cur[0]) == 0xFDU;
            s.stall.push_back(stall);
            s.chunks.push_back(stall ? std::string() : std::move(cur));
            cur.clear();
        } else if (static_cast<unsigned char>(in[i]) == 0xFEU && i + 1 < in.size()) {
            cur += echo(static_cast<std::uint8_t>(in[++i]));
        } else {
            cur += in[i];
        }
    }
    return s;
}

/// The server side of one session.
struct fake_server {
    tcp::socket sock;
    script sc;
    std::size_t next = 0;
    bool connected = false;
    bool closed = false;
    std::string received;
    std::string sent;               ///< Bytes whose write completed.
    std::vector<std::size_t> dots;  ///< sent.size() when each final dot had arrived.
    /// Per dot, whose data it ended: the batch's message index, or -1 (no data: the lone
    /// dot after a 354 that every RCPT refusal made pointless).
    std::vector<int> dot_owner;
    std::size_t dot_scan = 0;
    std::array<char, 65536> buf{};

    fake_server(net::io_context& ioc, script s) : sock(ioc), sc(std::move(s)) {}

    void read() {
        sock.async_read_some(net::buffer(buf), [this](boost::system::error_code ec, std::size_t n) {
            if (ec) {
                return;
            }
            received.append(buf.data(), n);
            for (std::size_t p; (p = received.find("\r\n.\r\n", dot_scan)) != std::string::npos;) {
                dots.push_back(sent.size());
                dot_owner.push_back(owner(p));
                dot_scan = p + 5;
            }
            read();
        });
    }

    /// Whose message data ends at the dot found at `p`: what follows the last DATA before it.
    int owner(std::size_t p) const {
        const std::size_t data = received.rfind("DATA\r\n", p);
        const std::string_view segment =
            data == std::string::npos
                ? std::string_view()
                : std::string_view(received).substr(data + 6, p + 2 - data - 6);
        if (segment.find("Subject: fuzz 2\r\n") != std::string_view::npos) {
            return 1;
        }
        return segment.find("Subject: fuzz\r\n") != std::string_view::npos ? 0 : -1;
    }

    void close() {
        if (!closed) {
            closed = true;
            boost::system::error_code ignored;
            sock.shutdown(tcp::socket::shutdown_both, ignored);
            sock.close(ignored);
        }
    }

    /// Called when nothing else can run: the next chunk, or the end of the session.
    /// Returns true when it stalls (the caller waits for a timer then).
    bool kick() {
        if (next >= sc.chunks.size()) {
            close();
            return false;
        }
        const std::size_t i = next++;
        if (sc.stall[i]) {
            return true;
        }
        auto data = std::make_shared<std::string>(std::move(sc.chunks[i]));
        net::async_write(sock, net::buffer(*data),
                         [this, data](boost::system::error_code ec, std::size_t) {
                             if (!ec) {
                                 sent += *data;
                             }
                         });
        return false;
    }
};

bool line_starts_with(std::string_view stream, std::string_view word) {
    for (std::size_t p = 0; p < stream.size();) {
        if (stream.substr(p, word.size()) == word) {
            return true;
        }
        const std::size_t lf = stream.find('\n', p);
        if (lf == std::string_view::npos) {
            break;
        }
        p = lf + 1;
    }
    return false;
}

/// Whether the server sent a complete 2yz reply after it had received message `k`'s final
/// dot.
bool positive_after_dot(const fake_server& srv, int k) {
    const auto first = std::find(srv.dot_owner.begin(), srv.dot_owner.end(), k);
    if (first == srv.dot_owner.end()) {
        return false;
    }
    const std::size_t dot = srv.dots[static_cast<std::size_t>(first - srv.dot_owner.begin())];
    smtperr::reply_parser p;
    std::string_view rest = srv.sent;
    std::size_t offset = 0;
    while (!rest.empty()) {
        std::error_code ec;
        const std::size_t n = p.feed(rest, ec);
        rest.remove_prefix(n);
        offset += n;
        if (!ec && p.has_reply() && p.get().code / 100 == 2 && offset > dot) {
            return true;
        }
        if (ec && n == 0) {
            const std::size_t lf = rest.find('\n');
            const std::size_t skip = lf == std::string_view::npos ? rest.size() : lf + 1;
            rest.remove_prefix(skip);
            offset += skip;
        }
    }
    return false;
}

/// The codes of the complete replies the server sent, in order, up to the first that does
/// not parse (the client's session ends there).
std::vector<int> reply_codes(std::string_view sent) {
    std::vector<int> codes;
    smtperr::reply_parser p;
    while (!sent.empty()) {
        std::error_code ec;
        sent.remove_prefix(p.feed(sent, ec));
        if (ec) {
            break;
        }
        if (p.has_reply()) {
            codes.push_back(p.get().code);
        }
    }
    return codes;
}

/// A message's content with its final dot among the units below: no command line is this.
constexpr std::string_view content = "<message content>";

/// What the client sent, cut into what replies answer by count (RFC 2920 §3.1): the
/// connection (answered by the greeting), each command line, and each message content with
/// its final dot (`content`), which follows a DATA only when the reply that answers DATA by
/// count is a 354.
std::vector<std::string_view> units(std::string_view received, const std::vector<int>& codes) {
    std::vector<std::string_view> u{"<connect>"};
    for (std::size_t p = 0; p < received.size();) {
        const std::size_t eol = received.find("\r\n", p);
        if (eol == std::string_view::npos) {
            break;
        }
        const std::string_view line = received.substr(p, eol - p);
        u.push_back(line);
        p = eol + 2;
        if (line == "DATA" && u.size() - 1 < codes.size() && codes[u.size() - 1] == 354) {
            // The content ends at the first CRLF.CRLF, this line's CRLF included (a lone dot).
            const std::size_t end = received.find("\r\n.\r\n", eol);
            if (end == std::string_view::npos) {
                break;
            }
            u.push_back(content);
            p = end + 5;
        }
    }
    return u;
}

/// Per recipient address prefix ("rcpt0@", "other@"…), whether some transaction of the
/// sender `from` (an address prefix too) had a 2yz to that RCPT and to its final dot, the
/// replies matched to the commands by count.
bool delivered_by_count(const std::vector<std::string_view>& u, const std::vector<int>& codes,
                        std::string_view from, std::string_view rcpt) {
    bool ours = false;
    bool rcpt_ok = false;
    for (std::size_t i = 1; i < u.size() && i < codes.size(); ++i) {
        const std::string_view line = u[i];
        const bool positive = codes[i] / 100 == 2;
        if (line.rfind("MAIL FROM:<", 0) == 0) {
            ours = positive && line.substr(11).rfind(from, 0) == 0;
            rcpt_ok = false;
        } else if (line == "RSET") {
            ours = false;
        } else if (ours && line.rfind("RCPT TO:<", 0) == 0 && line.substr(9).rfind(rcpt, 0) == 0) {
            rcpt_ok = rcpt_ok || positive;
        } else if (line == content && ours) {
            if (rcpt_ok && positive) {
                return true;
            }
            ours = false;
        }
    }
    return false;
}

void run_one(const std::uint8_t* data, std::size_t size) {
    if (size < 2) {
        return;
    }
    fixture& fx = the_fixture();
    const std::uint8_t flags = data[0];
    const std::uint8_t flags2 = data[1];
    const bool starttls = (flags & 1U) != 0;
    const bool allow_plain = (flags2 & 4U) != 0;

    smtperr::asio::submit_options opt;
    opt.host = "127.0.0.1";
    opt.port = fx.acceptor.local_endpoint().port();
    opt.tls = starttls ? smtperr::asio::tls_mode::starttls : smtperr::asio::tls_mode::none;
    opt.client_name = "fuzz.example.org";
    if ((flags & 2U) != 0) {
        smtperr::asio::credentials c;
        c.user = std::string(user);
        if ((flags & 4U) != 0) {
            c.oauth_token = std::string(token);
        } else {
            c.password = std::string(password);
        }
        opt.credentials = c;
    }
    using m = smtperr::asio::sasl_mechanism;
    switch (flags2 & 3U) {
        case 1:
            opt.mechanisms = {m::plain};
            break;
        case 2:
            opt.mechanisms = {m::login, m::plain};
            break;
        case 3:
            opt.mechanisms = {m::oauthbearer, m::xoauth2};
            break;
        default:
            break;
    }
    opt.allow_plaintext_auth = allow_plain;
    const auto t = 20ms;
    opt.timeouts = {t, t, t, t, t, t, t, t, t, t, t};
    opt.logger = fx.logger;
    opt.max_recipients_per_transaction = (flags & 0x20U) != 0 ? 1 : 0;

    smtperr::asio::message msg;
    const bool idn = (flags & 0x80U) != 0;
    msg.from = idn ? "sender@m\xc3\xbcller.example" : "sender@example.org";
    const std::size_t nrcpt = ((flags >> 3U) & 3U) % 3 + 1;
    for (std::size_t i = 0; i < nrcpt; ++i) {
        msg.recipients.push_back(!idn     ? "rcpt" + std::to_string(i) + "@example.net"
                                 : i == 2 ? std::string("j\xc3\xb6rg@b\xc3\xbc"
                                                        "cher.example")
                                          : "rcpt" + std::to_string(i) +
                                                "@b\xc3\xbc"
                                                "cher.example");
    }
    msg.body = "Subject: fuzz\r\n\r\nhello\r\n.\r\n";
    if ((flags & 0x40U) != 0) {
        for (int i = 0; i < 100; ++i) {
            msg.body += ".line " + std::to_string(i) + " of the body\n";
        }
    }

    fx.sink->text.clear();
    fake_server srv(
        fx.ioc, parse_script(std::string_view(reinterpret_cast<const char*>(data) + 2, size - 2)));
    fx.acceptor.async_accept(srv.sock, [&srv](boost::system::error_code ec) {
        if (!ec) {
            srv.connected = true;
            srv.read();
        }
    });

    const bool batch = (flags2 & 8U) != 0;
    std::vector<smtperr::asio::message> msgs{msg};
    if (batch) {
        smtperr::asio::message second;
        second.from = "second@example.org";
        second.recipients = {"other@example.net"};
        second.body = "Subject: fuzz 2\r\n\r\nagain\r\n";
        msgs.push_back(second);
    }
    int completions = 0;
    boost::system::error_code result_ec;
    std::vector<smtperr::send_report> reports;
    const auto done = [&](boost::system::error_code ec, std::vector<smtperr::send_report> r) {
        ++completions;
        result_ec = ec;
        reports = std::move(r);
    };
    if (batch) {
        smtperr::asio::async_submit_batch(fx.ioc, fx.ssl, opt, msgs, done);
    } else {
        smtperr::asio::async_submit(fx.ioc, fx.ssl, opt, msg,
                                    [&done](boost::system::error_code ec, smtperr::send_report r) {
                                        done(ec, {std::move(r)});
                                    });
    }

    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (completions == 0) {
        SMTPERR_FUZZ_CHECK(std::chrono::steady_clock::now() < deadline,
                           "the session did not complete");
        if (fx.ioc.poll() > 0) {
            continue;
        }
        // Nothing can run: the resolver's thread is busy, a timer is due, or both sides wait.
        if (!srv.connected || srv.closed || srv.kick()) {
            fx.ioc.run_one_for(100ms);
        }
    }
    // Let everything settle: the server's end goes away, pending handlers run.
    while (fx.ioc.poll() > 0) {
    }
    srv.close();
    if (!srv.connected) {
        fx.acceptor.cancel();
    }
    while (fx.ioc.poll() > 0) {
    }
    if (std::getenv("SMTPERR_FUZZ_VERBOSE") != nullptr) {
        for (const auto& report : reports) {
            std::fprintf(stderr, "outcome %s, deciding %s\n",
                         std::string(smtperr::to_string(report.outcome)).c_str(),
                         std::string(smtperr::to_string(report.deciding.condition)).c_str());
        }
        std::fprintf(stderr, "--- transcript\n%s--- server received\n%s\n", fx.sink->text.c_str(),
                     srv.received.c_str());
    }
    SMTPERR_FUZZ_CHECK(completions == 1, "more than one completion");
    SMTPERR_FUZZ_CHECK(!result_ec, result_ec.message());
    SMTPERR_FUZZ_CHECK(reports.size() == msgs.size(), "not one report per message");

    // Never sent without a 2yz to its own final dot, and no recipient accepted unless the
    // replies that answer its RCPT and its transaction's dot by count are 2yz (a client that
    // lost count attributes a reply to the wrong command). Without TLS only: the fake server
    // does not do TLS, so with STARTTLS nothing is sent after it.
    const std::vector<int> codes = reply_codes(srv.sent);
    const std::vector<std::string_view> cut = units(srv.received, codes);
    for (std::size_t k = 0; k < reports.size(); ++k) {
        const auto& report = reports[k];
        SMTPERR_FUZZ_CHECK(report.recipients.size() == msgs[k].recipients.size(),
                           "a recipient missing in the report");
        bool any_accepted = false;
        for (std::size_t i = 0; i < report.recipients.size(); ++i) {
            const bool accepted = report.recipients[i].accepted;
            any_accepted = any_accepted || accepted;
            if (accepted && !starttls) {
                const std::string& to = msgs[k].recipients[i];
                SMTPERR_FUZZ_CHECK(
                    delivered_by_count(cut, codes,
                                       msgs[k].from.substr(0, msgs[k].from.find('@') + 1),
                                       to.substr(0, to.find('@') + 1)),
                    "a recipient accepted without 2yz replies to its RCPT and its "
                    "final dot by count: " +
                        to);
            }
        }
        if (report.outcome == smtperr::outcome::sent ||
            report.outcome == smtperr::outcome::partially_sent || any_accepted) {
            SMTPERR_FUZZ_CHECK(positive_after_dot(srv, static_cast<int>(k)),
                               "sent without a 2yz reply after its final dot");
        }
        if (report.outcome == smtperr::outcome::sent) {
            SMTPERR_FUZZ_CHECK(!report.possibly_delivered, "sent and possibly delivered");
            for (const auto& r : report.recipients) {
                SMTPERR_FUZZ_CHECK(r.accepted, "sent with a recipient not accepted");
            }
        }
    }

    // No secret in the transcript: the one the client was given (a secret it never knew is
    // no leak when the server echoes it).
    fx.logger->flush();
    const std::string& transcript = fx.sink->text;
    static const std::vector<std::string> no_forms;
    const auto& forms = !opt.credentials    ? no_forms
                        : (flags & 4U) != 0 ? token_forms()
                                            : password_forms();
    for (const auto& form : forms) {
        SMTPERR_FUZZ_CHECK(transcript.find(form) == std::string::npos,
                           "a secret in the transcript: " + form);
    }

    // Nothing that needs TLS went out without it.
    if (starttls) {
        for (const std::string_view cmd : {"AUTH", "MAIL", "RCPT", "DATA"}) {
            SMTPERR_FUZZ_CHECK(!line_starts_with(srv.received, cmd),
                               std::string(cmd) + " sent although STARTTLS never succeeded");
        }
        for (const auto& form : forms) {
            SMTPERR_FUZZ_CHECK(srv.received.find(form) == std::string::npos,
                               "a secret sent before TLS");
        }
    } else if (!allow_plain) {
        SMTPERR_FUZZ_CHECK(!line_starts_with(srv.received, "AUTH"),
                           "AUTH without TLS although plaintext AUTH is not allowed");
    }

    // UTF-8 in the envelope only after MAIL asked for SMTPUTF8 (RFC 6531 §3.4).
    bool smtputf8 = false;
    for (std::size_t p = 0; p < srv.received.size();) {
        const std::size_t lf = srv.received.find('\n', p);
        const std::string_view line =
            std::string_view(srv.received).substr(p, lf == std::string::npos ? lf : lf - p);
        if (line.rfind("MAIL FROM:", 0) == 0) {
            smtputf8 = line.find(" SMTPUTF8") != std::string_view::npos;
        }
        if (line.rfind("MAIL FROM:", 0) == 0 || line.rfind("RCPT TO:", 0) == 0) {
            const bool ascii = std::all_of(line.begin(), line.end(), [](char c) {
                return static_cast<unsigned char>(c) < 0x80;
            });
            SMTPERR_FUZZ_CHECK(ascii || smtputf8, "a non-ASCII address without SMTPUTF8");
        }
        p = lf == std::string::npos ? srv.received.size() : lf + 1;
    }
}

}  // namespace
}  // namespace smtperr_fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    smtperr_fuzz::run_one(data, size);
    return 0;
}
