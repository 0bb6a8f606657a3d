// smtperr — SMTP error mapping for mail clients.
// Distributed under the Boost Software License, Version 1.0.
//
// An embedded SMTP submission server for the demo and the command-line tests: in-process,
// Boost.Asio with C++20 coroutines, on 127.0.0.1 with an ephemeral port, no threads of its
// own. It speaks enough SMTP for a submission client (EHLO/HELO, AUTH PLAIN, LOGIN,
// XOAUTH2 and OAUTHBEARER, MAIL with SIZE=, RCPT, DATA, RSET, NOOP, QUIT; pipelined
// commands are answered in order) and plays one scripted provider behaviour: the replies
// Gmail, Microsoft 365 or Postfix send, word for word, at the point where they send them.
//
// The scenarios are data (scenarios() below): a server dialect, the replies that differ
// from it, and what the demo's client and its user do. Nothing but loopback is used.

#ifndef SMTPERR_EXAMPLES_SCENARIO_SERVER_HPP
#define SMTPERR_EXAMPLES_SCENARIO_SERVER_HPP

#include <smtperr/classify/sasl.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

namespace smtperr::demo {

namespace net = boost::asio;

/// What the server knows when it decides a reply.
struct session_facts {
    unsigned connection = 0;  ///< 1 for the first connection to this server.
    std::string mechanism;    ///< The SASL mechanism of the AUTH being answered.
    std::string user;         ///< The authentication identity the client sent.
    std::string secret;       ///< The password or bearer token it sent (never shown).
    bool authenticated = false;
    std::string from;               ///< MAIL FROM of the current transaction.
    std::string rcpt;               ///< The address of the RCPT being answered.
    std::size_t recipients_ok = 0;  ///< RCPTs accepted in this transaction.
    std::size_t data_bytes = 0;     ///< Bytes of message data (for the final dot).
};

/// One reply (lines separated by CRLF, without the last CRLF). `close`: hang up after it.
struct server_reply {
    std::string text;
    bool close = false;
};

/// Decides the reply to one command; std::nullopt means the dialect's usual positive reply.
using reply_rule = std::function<std::optional<server_reply>(const session_facts&)>;

/// How one server software answers when all goes well.
struct dialect {
    std::string greeting;                 ///< The 220 line.
    std::string ehlo_name;                ///< First line of the EHLO reply, after "250-".
    std::vector<std::string> extensions;  ///< EHLO keywords, without SIZE (see scenario).
    std::string auth_ok;
    std::string mail_ok;
    std::string rcpt_ok;
    std::string data_go;
    std::string queued;
    std::string bye;
};

/// Gmail's smtp.gmail.com, as it answers on port 587 after STARTTLS.
inline dialect gmail_dialect() {
    const std::string tag = " d9443c01a7336-21c4d1ee3f5sm2345678b5a.12 - gsmtp";
    return {"220 smtp.gmail.com ESMTP" + tag,
            "smtp.gmail.com at your service, [127.0.0.1]",
            {"8BITMIME", "AUTH LOGIN PLAIN XOAUTH2 PLAIN-CLIENTTOKEN OAUTHBEARER XOAUTH",
             "ENHANCEDSTATUSCODES", "PIPELINING", "CHUNKING", "SMTPUTF8"},
            "235 2.7.0 Accepted",
            "250 2.1.0 OK" + tag,
            "250 2.1.5 OK" + tag,
            "354  Go ahead" + tag,
            "250 2.0.0 OK  1764406800" + tag,
            "221 2.0.0 closing connection" + tag};
}

/// Microsoft 365's smtp.office365.com (Exchange Online).
inline dialect microsoft_dialect() {
    return {
        "220 AM0PR10CA0052.outlook.office365.com Microsoft ESMTP MAIL Service ready at "
        "Sun, 29 Nov 2026 09:00:00 +0000 08DD1234567890AB",
        "AM0PR10CA0052.outlook.office365.com Hello [127.0.0.1]",
        {"PIPELINING", "DSN", "ENHANCEDSTATUSCODES", "AUTH LOGIN XOAUTH2", "8BITMIME", "BINARYMIME",
         "CHUNKING", "SMTPUTF8"},
        "235 2.7.0 Authentication successful",
        "250 2.1.0 Sender OK",
        "250 2.1.5 Recipient OK",
        "354 Start mail input; end with <CRLF>.<CRLF>",
        "250 2.0.0 OK <DB9PR10MB7123.EURPRD10.PROD.OUTLOOK.COM> [Hostname=DB9PR10MB7123."
        "EURPRD10.PROD.OUTLOOK.COM]",
        "221 2.0.0 Service closing transmission channel"};
}

/// Postfix with Dovecot SASL, as a self-hosted or small provider's submission service runs.
inline dialect postfix_dialect(std::string host) {
    return {"220 " + host + " ESMTP Postfix (Debian/GNU)",
            host,
            {"PIPELINING", "ETRN", "AUTH PLAIN LOGIN", "ENHANCEDSTATUSCODES", "8BITMIME", "DSN",
             "SMTPUTF8", "CHUNKING"},
            "235 2.7.0 Authentication successful",
            "250 2.1.0 Ok",
            "250 2.1.5 Ok",
            "354 End data with <CR><LF>.<CR><LF>",
            "250 2.0.0 Ok: queued as 4ZxYq12AbCzB",
            "221 2.0.0 Bye"};
}

/// One scripted provider behaviour, and what the demo's client and its user do.
struct scenario {
    std::string id;     ///< "gmail_app_password", …: the name tests and the helper use.
    std::string title;  ///< One line, English.
    smtperr::demo::dialect dialect;
    std::uint64_t size_limit = 0;  ///< Announced as SIZE when not 0.
    std::uint64_t data_limit = 0;  ///< Refused after the data when not 0 (552 5.3.4).
    reply_rule auth;               ///< Required: who may sign in.
    reply_rule rcpt;               ///< Per RCPT; empty: every recipient is accepted.
    reply_rule data;               ///< The reply to DATA; empty: go ahead.
    reply_rule data_end;  ///< The reply after the final dot; empty: queued (or data_limit).

    // The demo's client side.
    std::string from;
    std::vector<std::string> recipients;
    std::string password;           ///< What the account is set up with ("" with a token).
    std::string token;              ///< An OAuth bearer token instead of a password.
    std::size_t message_bytes = 0;  ///< 0: a short message.
    /// What the user does when asked for credentials: a new password, or a sign-in that
    /// yields a token ("": the user has no answer and the message waits).
    std::string new_password;
    std::string new_token;
    std::string user_action_en;  ///< What the user does, for the demo's output.
    std::string user_action_de;
};

/// An AUTH rule: exactly `secret` (a password or token) signs in; anything else gets `refusal`.
inline reply_rule accept_only(std::string secret, std::string refusal) {
    return [secret = std::move(secret),
            refusal = std::move(refusal)](const session_facts& f) -> std::optional<server_reply> {
        if (f.secret == secret) {
            return std::nullopt;
        }
        return server_reply{refusal};
    };
}

/** The scenarios of the demo, with fresh server state (greylisting memory, connection
    counts) on every call. Replies are the providers' own (see the README's scenario demo).
*/
inline std::vector<scenario> scenarios() {
    std::vector<scenario> all;
    const std::string gmail_tag = " d9443c01a7336-21c4d1ee3f5sm2345678b5a.12 - gsmtp";
    {
        scenario s;
        s.id = "gmail_app_password";
        s.title = "Gmail: the account password is refused, an app password is required";
        s.dialect = gmail_dialect();
        s.size_limit = 35882577;
        s.auth = accept_only(
            "xqmzvbtkhwplrcfa",
            "534-5.7.9 Application-specific password required. For more information, go to\r\n"
            "534 5.7.9  https://support.google.com/mail/?p=InvalidSecondFactor" +
                gmail_tag);
        s.from = "anna.schmidt@gmail.com";
        s.recipients = {"ben@example.org"};
        s.password = "anna's account password";
        s.new_password = "xqmzvbtkhwplrcfa";
        s.user_action_en = "the user creates an app password at Google and enters it";
        s.user_action_de = "die Benutzerin erstellt bei Google ein App-Passwort und gibt es ein";
        all.push_back(std::move(s));
    }
    {
        scenario s;
        s.id = "microsoft_basic_auth_disabled";
        s.title = "Microsoft 365: password sign-in (basic authentication) is turned off";
        s.dialect = microsoft_dialect();
        s.size_limit = 157286400;
        s.auth = [](const session_facts& f) -> std::optional<server_reply> {
            if (f.mechanism == "XOAUTH2" && f.secret == "EwBwA8l6BAAU-demo-access-token") {
                return std::nullopt;
            }
            return server_reply{
                "535 5.7.139 Authentication unsuccessful, basic authentication is disabled. "
                "[AM0PR10CA0052.EURPRD10.PROD.OUTLOOK.COM 2026-11-29T09:00:00.000Z "
                "08DD1234567890AB]"};
        };
        s.from = "j.meyer@contoso.com";
        s.recipients = {"k.wagner@fabrikam.com"};
        s.password = "Summer2026!";
        s.new_token = "EwBwA8l6BAAU-demo-access-token";
        s.user_action_en = "the user signs in with Microsoft in the browser (OAuth): a token";
        s.user_action_de =
            "der Benutzer meldet sich im Browser bei Microsoft an (OAuth): ein Token";
        all.push_back(std::move(s));
    }
    {
        scenario s;
        s.id = "wrong_then_new_password";
        s.title = "A password changed on the provider's website: wrong, then the new one";
        s.dialect = postfix_dialect("mail.example.de");
        s.size_limit = 10240000;
        s.auth = accept_only("Neues-Passwort-2026",
                             "535 5.7.8 Error: authentication failed: authentication failure");
        s.from = "eva@example.de";
        s.recipients = {"frank@example.net"};
        s.password = "Altes-Passwort-2025";
        s.new_password = "Neues-Passwort-2026";
        s.user_action_en = "the user types the new password";
        s.user_action_de = "die Benutzerin gibt das neue Passwort ein";
        all.push_back(std::move(s));
    }
    {
        scenario s;
        s.id = "greylisting";
        s.title = "Greylisting (Postfix + postgrey): deferred once, accepted on the retry";
        s.dialect = postfix_dialect("mx.example.net");
        s.size_limit = 10240000;
        s.auth = accept_only("s3cret-greylist", "535 5.7.8 Error: authentication failed");
        auto seen = std::make_shared<std::set<std::string>>();
        s.rcpt = [seen](const session_facts& f) -> std::optional<server_reply> {
            // postgrey lets a (sender, recipient) pair through when it comes back later.
            if (seen->insert(f.from + ' ' + f.rcpt).second) {
                return server_reply{"450 4.2.0 <" + f.rcpt +
                                    ">: Recipient address rejected: Greylisted, see "
                                    "http://postgrey.schweikert.ch/help/example.net.html"};
            }
            return std::nullopt;
        };
        s.from = "gregor@example.com";
        s.recipients = {"hanna@example.net"};
        s.password = "s3cret-greylist";
        all.push_back(std::move(s));
    }
    {
        scenario s;
        s.id = "unknown_recipient";
        s.title = "One unknown recipient among three (Postfix virtual mailboxes)";
        s.dialect = postfix_dialect("mail.example.org");
        s.size_limit = 10240000;
        s.auth = accept_only("s3cret-recipients", "535 5.7.8 Error: authentication failed");
        s.rcpt = [](const session_facts& f) -> std::optional<server_reply> {
            if (f.rcpt == "ines@example.org") {
                return server_reply{"550 5.1.1 <" + f.rcpt +
                                    ">: Recipient address rejected: User unknown in virtual "
                                    "mailbox table"};
            }
            return std::nullopt;
        };
        s.from = "jan@example.org";
        s.recipients = {"karl@example.org", "ines@example.org", "lena@example.org"};
        s.password = "s3cret-recipients";
        all.push_back(std::move(s));
    }
    {
        scenario s;
        s.id = "too_large_announced";
        s.title = "Message too large for the SIZE the server announces: nothing is sent";
        s.dialect = postfix_dialect("mail.example.com");
        s.size_limit = 1048576;
        s.auth = accept_only("s3cret-size", "535 5.7.8 Error: authentication failed");
        s.from = "mia@example.com";
        s.recipients = {"nils@example.com"};
        s.password = "s3cret-size";
        s.message_bytes = 1572864;
        all.push_back(std::move(s));
    }
    {
        scenario s;
        s.id = "too_large_after_data";
        s.title = "Message too large, refused after the data (552 5.3.4, no SIZE announced)";
        s.dialect = postfix_dialect("mail.example.com");
        s.data_limit = 1048576;
        s.auth = accept_only("s3cret-size", "535 5.7.8 Error: authentication failed");
        s.from = "mia@example.com";
        s.recipients = {"nils@example.com"};
        s.password = "s3cret-size";
        s.message_bytes = 1572864;
        all.push_back(std::move(s));
    }
    {
        scenario s;
        s.id = "closed_mid_transaction";
        s.title = "Microsoft 365 answers DATA with 421 4.3.2 and hangs up; the retry goes out";
        s.dialect = microsoft_dialect();
        s.size_limit = 157286400;
        s.auth = accept_only("EwBwA8l6BAAU-oliver-token",
                             "535 5.7.3 Authentication unsuccessful [AM0PR10CA0052.EURPRD10."
                             "PROD.OUTLOOK.COM 2026-11-29T09:00:00.000Z 08DD1234567890AB]");
        s.data = [](const session_facts& f) -> std::optional<server_reply> {
            if (f.connection == 1) {
                return server_reply{
                    "421 4.3.2 Service not available, closing transmission "
                    "channel",
                    true};
            }
            return std::nullopt;
        };
        s.from = "oliver@contoso.com";
        s.recipients = {"paula@fabrikam.com", "quinn@fabrikam.com"};
        s.token = "EwBwA8l6BAAU-oliver-token";
        all.push_back(std::move(s));
    }
    return all;
}

/// The scenario with this id, if any.
inline std::optional<scenario> find_scenario(std::string_view id) {
    for (auto& s : scenarios()) {
        if (s.id == id) {
            return std::move(s);
        }
    }
    return std::nullopt;
}

/** Serves one scenario on 127.0.0.1 (ephemeral port), any number of connections, on the
    caller's io_context until stop(). */
class scenario_server {
  public:
    scenario_server(net::io_context& ioc, scenario sc)
        : acceptor_(ioc, {net::ip::make_address("127.0.0.1"), 0}), sc_(std::move(sc)) {
        net::co_spawn(ioc, accept_loop(), net::detached);
    }
    scenario_server(const scenario_server&) = delete;
    scenario_server& operator=(const scenario_server&) = delete;
    ~scenario_server() { stop(); }

    std::uint16_t port() const { return port_; }

    /// Connections accepted so far.
    unsigned connections() const { return connections_; }

    /** What the server received and answered, over all connections in order: "C: MAIL
        FROM:<a@example.org> SIZE=300", "S: 250 2.1.0 Ok" (a reply's first line),
        "C: <data, 1200 bytes>", "-- connection 2". AUTH is recorded as "C: AUTH PLAIN", without
        the client's responses: secrets stay out of it. */
    const std::vector<std::string>& transcript() const { return transcript_; }

    /// Closes the listener and every connection, so the io_context can run dry.
    void stop() {
        boost::system::error_code ec;
        acceptor_.close(ec);
        for (const auto& w : open_) {
            if (const auto s = w.lock()) {
                s->close(ec);
            }
        }
        open_.clear();
    }

  private:
    using tcp = net::ip::tcp;

    // One connection's socket and input buffer.
    struct conn {
        explicit conn(tcp::socket s) : sock(std::move(s)) {}
        tcp::socket sock;
        std::string in;
    };

    net::awaitable<void> accept_loop() {
        for (;;) {
            auto [ec, sock] = co_await acceptor_.async_accept(net::as_tuple(net::use_awaitable));
            if (ec) {
                co_return;
            }
            boost::system::error_code ignored;
            sock.set_option(tcp::no_delay(true), ignored);  // Replies one by one, at once.
            auto c = std::make_shared<conn>(std::move(sock));
            open_.remove_if([](const auto& w) { return w.expired(); });
            open_.push_back(std::shared_ptr<tcp::socket>(c, &c->sock));
            net::co_spawn(acceptor_.get_executor(), serve(c, ++connections_), net::detached);
        }
    }

    static net::awaitable<bool> write(conn& c, std::string text) {
        text += "\r\n";
        auto [ec, n] =
            co_await net::async_write(c.sock, net::buffer(text), net::as_tuple(net::use_awaitable));
        std::ignore = n;
        co_return !ec;
    }

    // Sends a reply and records its first line.
    net::awaitable<bool> reply(conn& c, const std::string& text) {
        transcript_.push_back("S: " + text.substr(0, text.find("\r\n")));
        co_return co_await write(c, text);
    }

    // Reads one command line (without CRLF); nullopt when the client went away or sent
    // an overlong line.
    static net::awaitable<std::optional<std::string>> read_line(conn& c) {
        constexpr std::size_t max_line = 4096;
        for (;;) {
            if (const auto eol = c.in.find("\r\n"); eol != std::string::npos) {
                std::string line = c.in.substr(0, eol);
                c.in.erase(0, eol + 2);
                co_return line;
            }
            if (c.in.size() > max_line) {
                co_return std::nullopt;
            }
            std::array<char, 4096> buf{};
            auto [ec, n] = co_await c.sock.async_read_some(net::buffer(buf),
                                                           net::as_tuple(net::use_awaitable));
            if (ec) {
                co_return std::nullopt;
            }
            c.in.append(buf.data(), n);
        }
    }

    // Reads message data up to and including CRLF.CRLF; its size (without the final dot),
    // or nullopt when the client went away.
    static net::awaitable<std::optional<std::size_t>> read_data(conn& c) {
        // As if the DATA line's CRLF came first, so an empty message ends at ".\r\n" too.
        c.in.insert(0, "\r\n");
        std::size_t counted = 0;  // Bytes already scanned and dropped from c.in.
        for (;;) {
            if (const auto end = c.in.find("\r\n.\r\n"); end != std::string::npos) {
                c.in.erase(0, end + 5);
                co_return counted + end;
            }
            // Keep the last four bytes: the end marker may straddle two reads.
            if (c.in.size() > 4) {
                const std::size_t drop = c.in.size() - 4;
                counted += drop;
                c.in.erase(0, drop);
            }
            std::array<char, 16384> buf{};
            auto [ec, n] = co_await c.sock.async_read_some(net::buffer(buf),
                                                           net::as_tuple(net::use_awaitable));
            if (ec) {
                co_return std::nullopt;
            }
            c.in.append(buf.data(), n);
        }
    }

    static std::string upper(std::string_view s) {
        std::string out(s);
        for (auto& ch : out) {
            if (ch >= 'a' && ch <= 'z') {
                ch = static_cast<char>(ch - 'a' + 'A');
            }
        }
        return out;
    }

    // The address inside <…> after "MAIL FROM:" / "RCPT TO:".
    static std::string path_of(std::string_view args) {
        const auto open = args.find('<');
        const auto close = args.find('>', open == std::string_view::npos ? 0 : open);
        if (open == std::string_view::npos || close == std::string_view::npos) {
            return {};
        }
        return std::string(args.substr(open + 1, close - open - 1));
    }

    // "SIZE=n" among MAIL parameters, or 0.
    static std::uint64_t size_param(std::string_view args) {
        const auto u = upper(args);
        const auto p = u.find(" SIZE=");
        if (p == std::string::npos) {
            return 0;
        }
        std::uint64_t v = 0;
        for (std::size_t i = p + 6; i < u.size() && u[i] >= '0' && u[i] <= '9'; ++i) {
            v = v * 10 + static_cast<std::uint64_t>(u[i] - '0');
        }
        return v;
    }

    // Splits a decoded SASL response into identity and secret.
    static void read_sasl(std::string_view mech, std::string_view decoded, session_facts& f) {
        if (mech == "PLAIN") {  // authzid NUL authcid NUL password (RFC 4616)
            const auto a = decoded.find('\0');
            const auto b = a == std::string_view::npos ? a : decoded.find('\0', a + 1);
            if (b != std::string_view::npos) {
                f.user = std::string(decoded.substr(a + 1, b - a - 1));
                f.secret = std::string(decoded.substr(b + 1));
            }
            return;
        }
        // XOAUTH2 "user=U^Aauth=Bearer T^A^A"; OAUTHBEARER "n,a=U,^Aauth=Bearer T^A^A".
        const auto bearer = decoded.find("auth=Bearer ");
        if (bearer != std::string_view::npos) {
            const auto end = decoded.find('\x01', bearer);
            f.secret = std::string(decoded.substr(bearer + 12, end - bearer - 12));
        }
        if (const auto u = decoded.find("user="); u != std::string_view::npos) {
            f.user = std::string(decoded.substr(u + 5, decoded.find('\x01', u) - u - 5));
        } else if (const auto a = decoded.find("a="); a != std::string_view::npos) {
            f.user = std::string(decoded.substr(a + 2, decoded.find(',', a) - a - 2));
        }
    }

    static std::string decode(std::string_view b64) {
        auto r = smtperr::base64_decode(b64);
        return r ? std::move(r.value()) : std::string();
    }

    std::string ehlo_reply() const {
        std::vector<std::string> lines{sc_.dialect.ehlo_name};
        if (sc_.size_limit != 0) {
            lines.push_back("SIZE " + std::to_string(sc_.size_limit));
        }
        lines.insert(lines.end(), sc_.dialect.extensions.begin(), sc_.dialect.extensions.end());
        std::string out;
        for (std::size_t i = 0; i < lines.size(); ++i) {
            out += (i + 1 < lines.size() ? "250-" : "250 ") + lines[i];
            if (i + 1 < lines.size()) {
                out += "\r\n";
            }
        }
        return out;
    }

    static server_reply decide(const reply_rule& rule, const session_facts& f,
                               const std::string& usual) {
        if (rule) {
            if (auto r = rule(f)) {
                return *r;
            }
        }
        return server_reply{usual};
    }

    // The AUTH exchange; the reply to send (and whether the client is now signed in).
    net::awaitable<std::optional<server_reply>> authenticate(conn& c, std::string_view args,
                                                             session_facts& f) {
        const auto space = args.find(' ');
        const std::string mech = upper(args.substr(0, space));
        std::string initial =
            space == std::string_view::npos ? std::string() : std::string(args.substr(space + 1));
        f.mechanism = mech;
        f.user.clear();
        f.secret.clear();
        if (mech == "LOGIN") {
            if (!co_await write(c, "334 VXNlcm5hbWU6")) {  // "Username:"
                co_return std::nullopt;
            }
            const auto user = co_await read_line(c);
            if (!user || !co_await write(c, "334 UGFzc3dvcmQ6")) {  // "Password:"
                co_return std::nullopt;
            }
            const auto pass = co_await read_line(c);
            if (!pass) {
                co_return std::nullopt;
            }
            f.user = decode(*user);
            f.secret = decode(*pass);
        } else if (mech == "PLAIN" || mech == "XOAUTH2" || mech == "OAUTHBEARER") {
            if (initial.empty()) {
                if (!co_await write(c, "334 ")) {
                    co_return std::nullopt;
                }
                const auto line = co_await read_line(c);
                if (!line) {
                    co_return std::nullopt;
                }
                initial = *line;
            }
            if (initial == "*") {
                co_return server_reply{"501 5.7.0 Authentication aborted"};
            }
            read_sasl(mech, decode(initial), f);
        } else {
            co_return server_reply{"504 5.5.4 Unrecognized authentication type"};
        }
        server_reply r = decide(sc_.auth, f, sc_.dialect.auth_ok);
        f.authenticated = r.text.rfind("235", 0) == 0;
        f.secret.clear();  // Not kept beyond the decision.
        co_return r;
    }

    net::awaitable<void> serve(std::shared_ptr<conn> cp, unsigned number) {
        conn& c = *cp;
        session_facts f;
        f.connection = number;
        transcript_.push_back("-- connection " + std::to_string(number));
        bool in_mail = false;
        if (!co_await reply(c, sc_.dialect.greeting)) {
            co_return;
        }
        for (;;) {
            const auto line = co_await read_line(c);
            if (!line) {
                co_return;
            }
            const auto space = line->find(' ');
            const std::string verb = upper(std::string_view(*line).substr(0, space));
            const std::string_view args = space == std::string::npos
                                              ? std::string_view()
                                              : std::string_view(*line).substr(space + 1);
            transcript_.push_back(
                "C: " + (verb == "AUTH" ? "AUTH " + upper(args.substr(0, args.find(' '))) : *line));
            server_reply r;
            if (verb == "EHLO") {
                r.text = ehlo_reply();
            } else if (verb == "HELO") {
                r.text = "250 " + sc_.dialect.ehlo_name;
            } else if (verb == "AUTH") {
                if (f.authenticated) {
                    r.text = "503 5.5.1 Error: already authenticated";
                } else {
                    auto a = co_await authenticate(c, args, f);
                    if (!a) {
                        co_return;
                    }
                    r = std::move(*a);
                }
            } else if (verb == "MAIL") {
                const auto declared = size_param(args);
                if (!f.authenticated) {
                    r.text = "530 5.7.0 Authentication required";
                } else if (sc_.size_limit != 0 && declared > sc_.size_limit) {
                    r.text = "552 5.3.4 Message size exceeds fixed limit";
                } else {
                    in_mail = true;
                    f.from = path_of(args);
                    f.recipients_ok = 0;
                    r.text = sc_.dialect.mail_ok;
                }
            } else if (verb == "RCPT") {
                if (!in_mail) {
                    r.text = "503 5.5.1 Error: need MAIL command";
                } else {
                    f.rcpt = path_of(args);
                    r = decide(sc_.rcpt, f, sc_.dialect.rcpt_ok);
                    if (r.text.rfind('2', 0) == 0) {
                        ++f.recipients_ok;
                    }
                }
            } else if (verb == "DATA") {
                if (!in_mail) {
                    r.text = "503 5.5.1 Error: need MAIL command";
                } else if (f.recipients_ok == 0) {
                    r.text = "554 5.5.1 Error: no valid recipients";
                } else {
                    r = decide(sc_.data, f, sc_.dialect.data_go);
                    if (r.text.rfind("354", 0) == 0) {
                        if (!co_await reply(c, r.text)) {
                            co_return;
                        }
                        const auto size = co_await read_data(c);
                        if (!size) {
                            co_return;
                        }
                        f.data_bytes = *size;
                        transcript_.push_back("C: <data, " + std::to_string(*size) + " bytes>");
                        in_mail = false;
                        if (sc_.data_limit != 0 && *size > sc_.data_limit) {
                            r.text = "552 5.3.4 Error: message file too big";
                        } else {
                            r = decide(sc_.data_end, f, sc_.dialect.queued);
                        }
                    }
                }
            } else if (verb == "RSET") {
                in_mail = false;
                r.text = "250 2.0.0 Ok";
            } else if (verb == "NOOP") {
                r.text = "250 2.0.0 Ok";
            } else if (verb == "QUIT") {
                r.text = sc_.dialect.bye;
                r.close = true;
            } else {
                r.text = "502 5.5.2 Error: command not recognized";
            }
            if (!co_await reply(c, r.text) || r.close) {
                boost::system::error_code ec;
                c.sock.shutdown(tcp::socket::shutdown_both, ec);
                c.sock.close(ec);
                co_return;
            }
        }
    }

    tcp::acceptor acceptor_;
    std::uint16_t port_ = acceptor_.local_endpoint().port();
    scenario sc_;
    unsigned connections_ = 0;
    std::list<std::weak_ptr<tcp::socket>> open_;
    std::vector<std::string> transcript_;
};

}  // namespace smtperr::demo

#endif  // SMTPERR_EXAMPLES_SCENARIO_SERVER_HPP
