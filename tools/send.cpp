// smtperr — SMTP error mapping for mail clients.
// Distributed under the Boost Software License, Version 1.0.
//
// `smtperr send` (DESIGN.md "command-line contract"): one message through an smtperr::outbox
// and smtperr::asio::async_submit, so every line it prints comes from the library's own
// events. It is not interactive: an event that asks the user for something (new
// credentials, a later retry) is printed and the run ends; the outbox's decision is kept
// in the exit status (3 deferred, 4 failed).

#include "send.hpp"

#include <smtperr/asio/submit.hpp>
#include <smtperr/asio/tls.hpp>
#include <smtperr/pipeline/json.hpp>
#include <smtperr/pipeline/outbox.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/json/serialize.hpp>

#include <spdlog/logger.h>
#include <spdlog/sinks/stdout_sinks.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "test_message.hpp"

namespace smtperr::tool {

const std::string_view send_usage =
    "       smtperr send --server HOST:PORT --tls none|starttls|implicit [--user U]\n"
    "                    [--password-env VAR | --oauth-token-env VAR] [--allow-plaintext-auth]\n"
    "                    --from A --to B [--to C ...] [--message FILE | --size-bytes N]\n"
    "                    [--ca-file PEM] [--lang L] [--json] [-v | --verbose]\n";

namespace {

namespace net = boost::asio;
namespace sa = smtperr::asio;

// The largest generated message (--size-bytes), so a typo cannot exhaust memory.
constexpr std::uint64_t max_generated_bytes = std::uint64_t{1} << 30;

struct send_options {
    std::string host;
    std::uint16_t port = 0;
    std::optional<sa::tls_mode> tls;
    std::string user;
    std::string password_env;
    std::string token_env;
    bool allow_plaintext_auth = false;
    std::optional<std::string> from;
    std::vector<std::string> to;
    std::string message_file;
    std::optional<std::uint64_t> size_bytes;
    std::string ca_file;
    language lang = language::en;
    bool json = false;
    bool verbose = false;
    bool help = false;  ///< --help or -h as an option (not as another option's value).
};

// A command-line mistake: exit status 1 with the reason and the usage text.
struct usage_error {
    std::string why;
};

std::optional<std::uint64_t> parse_number(std::string_view s) {
    if (s.empty() || s.size() > 19) {
        return std::nullopt;
    }
    std::uint64_t v = 0;
    for (const char c : s) {
        if (c < '0' || c > '9') {
            return std::nullopt;
        }
        v = v * 10 + static_cast<std::uint64_t>(c - '0');
    }
    return v;
}

// "host:port", "[v6]:port".
bool parse_server(std::string_view s, send_options& o) {
    const auto colon = s.rfind(':');
    if (colon == std::string_view::npos || colon == 0) {
        return false;
    }
    std::string_view host = s.substr(0, colon);
    if (host.front() == '[') {
        if (host.size() < 3 || host.back() != ']') {
            return false;
        }
        host = host.substr(1, host.size() - 2);
    } else if (host.find(':') != std::string_view::npos) {
        return false;  // An IPv6 literal needs brackets.
    }
    const auto port = parse_number(s.substr(colon + 1));
    if (!port || *port == 0 || *port > 65535) {
        return false;
    }
    o.host = std::string(host);
    o.port = static_cast<std::uint16_t>(*port);
    return true;
}

send_options parse(int argc, char** argv, int first, language default_lang) {
    send_options o;
    o.lang = default_lang;
    for (int i = first; i < argc; ++i) {
        const std::string_view a = argv[i];
        // An empty value ("--message $UNSET") is a mistake, not the option left out; only
        // --from may be empty (the null sender).
        auto value = [&](bool may_be_empty = false) -> std::string {
            if (i + 1 >= argc) {
                throw usage_error{std::string(a) + " needs a value"};
            }
            std::string v = argv[++i];
            if (v.empty() && !may_be_empty) {
                throw usage_error{std::string(a) + " needs a value, not an empty one"};
            }
            return v;
        };
        if (a == "--help" || a == "-h") {
            o.help = true;
            return o;
        }
        if (a == "--server") {
            const std::string v = value();
            if (!parse_server(v, o)) {
                throw usage_error{"--server wants HOST:PORT with a port from 1 to 65535: " + v};
            }
        } else if (a == "--tls") {
            const std::string v = value();
            if (v == "none") {
                o.tls = sa::tls_mode::none;
            } else if (v == "starttls") {
                o.tls = sa::tls_mode::starttls;
            } else if (v == "implicit") {
                o.tls = sa::tls_mode::implicit;
            } else {
                throw usage_error{"--tls must be none, starttls or implicit: " + v};
            }
        } else if (a == "--user") {
            o.user = value();
        } else if (a == "--password-env") {
            o.password_env = value();
        } else if (a == "--oauth-token-env") {
            o.token_env = value();
        } else if (a == "--allow-plaintext-auth") {
            o.allow_plaintext_auth = true;
        } else if (a == "--from") {
            o.from = value(true);
        } else if (a == "--to") {
            o.to.push_back(value());
        } else if (a == "--message") {
            o.message_file = value();
        } else if (a == "--size-bytes") {
            const std::string v = value();
            o.size_bytes = parse_number(v);
            if (!o.size_bytes || *o.size_bytes > max_generated_bytes) {
                throw usage_error{"--size-bytes wants a number of bytes up to 1073741824: " + v};
            }
        } else if (a == "--ca-file") {
            o.ca_file = value();
        } else if (a == "--lang") {
            o.lang = resolve_language(value());
        } else if (a == "--json") {
            o.json = true;
        } else if (a == "-v" || a == "--verbose") {
            o.verbose = true;
        } else if (a.size() > 1 && a[0] == '-') {
            throw usage_error{"unknown option: " + std::string(a)};
        } else {
            throw usage_error{"send takes no arguments besides options: " + std::string(a)};
        }
    }
    if (o.host.empty()) {
        throw usage_error{"send needs --server HOST:PORT"};
    }
    if (!o.tls) {
        throw usage_error{"send needs --tls none|starttls|implicit"};
    }
    if (!o.from) {
        throw usage_error{"send needs --from ADDRESS (--from '' for the null sender)"};
    }
    if (o.to.empty()) {
        throw usage_error{"send needs at least one --to ADDRESS"};
    }
    if (!o.password_env.empty() && !o.token_env.empty()) {
        throw usage_error{"--password-env and --oauth-token-env exclude each other"};
    }
    if (!o.user.empty() && o.password_env.empty() && o.token_env.empty()) {
        throw usage_error{"--user needs --password-env VAR or --oauth-token-env VAR"};
    }
    if (!o.message_file.empty() && o.size_bytes) {
        throw usage_error{"--message and --size-bytes exclude each other"};
    }
    if (!o.ca_file.empty() && !std::ifstream(o.ca_file)) {
        throw usage_error{"cannot read the CA file " + o.ca_file};
    }
    return o;
}

// The secret from the environment; never from the command line, never printed.
std::optional<sa::credentials> credentials_from(const send_options& o) {
    const std::string& var = o.password_env.empty() ? o.token_env : o.password_env;
    if (var.empty()) {
        return std::nullopt;
    }
    const char* secret = std::getenv(var.c_str());
    if (secret == nullptr || *secret == '\0') {
        // Not named: a password typed there by mistake would reach the terminal and its logs.
        throw usage_error{std::string("the environment variable that ") +
                          (o.password_env.empty() ? "--oauth-token-env" : "--password-env") +
                          " names is not set or empty"};
    }
    sa::credentials c;
    c.user = o.user.empty() ? *o.from : o.user;
    if (c.user.empty()) {
        throw usage_error{"--user is needed with the null sender"};
    }
    (o.password_env.empty() ? c.oauth_token : c.password) = secret;
    return c;
}

// The test message, or the usage error its --size-bytes is.
std::string make_message(const send_options& o) {
    const auto now = std::chrono::system_clock::now();
    std::string m = make_test_message(*o.from, o.to, o.size_bytes, now);
    if (m.empty()) {
        throw usage_error{"--size-bytes " + std::to_string(*o.size_bytes) +
                          " is less than the test message without filler (" +
                          std::to_string(make_test_message(*o.from, o.to, {}, now).size()) +
                          " bytes)"};
    }
    return m;
}

// The whole file, up to the same 1 GiB as --size-bytes. A directory, a read error or a
// larger file is a usage error, not an exception from the stream library.
std::string read_file(const std::string& path) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) {
        throw usage_error{"cannot read the message file " + path + ": it is a directory"};
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw usage_error{"cannot read the message file " + path};
    }
    std::string m;
    std::array<char, 65536> buf{};
    try {
        while (in.read(buf.data(), buf.size()) || in.gcount() > 0) {
            m.append(buf.data(), static_cast<std::size_t>(in.gcount()));
            if (m.size() > max_generated_bytes) {
                throw usage_error{"the message file " + path + " is larger than 1073741824 bytes"};
            }
        }
    } catch (const std::ios_base::failure&) {
        throw usage_error{"cannot read the message file " + path};
    }
    if (in.bad()) {
        throw usage_error{"cannot read the message file " + path};
    }
    return m;
}

// The tool's own words around the library's texts.
struct words {
    std::string_view server;
    std::string_view action;
    std::string_view sign_in;
    std::string_view sign_in_hint;
    std::string_view retry;
    std::string_view retry_hint;
    std::string_view rejected;
    std::string_view result;
    std::string_view accepted;
    std::string_view pending;
    std::string_view possibly_delivered;
    std::string_view outcomes[4];
};

const words english = {
    "Server",
    "What to do",
    "Sign-in needed for",
    "run smtperr send again with the new password or token in the environment variable",
    "Next attempt",
    "smtperr send does not wait: run it again then",
    "Rejected",
    "Result",
    "accepted",
    "not sent yet",
    "The connection broke after the message was handed over, before the server confirmed it: "
    "it may have been delivered. Check before sending it again.",
    {"sent", "partially sent", "deferred", "failed"},
};

const words german = {
    "Server",
    "Was tun",
    "Anmeldung nötig für",
    "smtperr send mit dem neuen Passwort oder Token in der Umgebungsvariable erneut aufrufen",
    "Nächster Versuch",
    "smtperr send wartet nicht: dann erneut aufrufen",
    "Abgelehnt",
    "Ergebnis",
    "angenommen",
    "noch nicht gesendet",
    "Die Verbindung brach ab, nachdem die Nachricht übergeben war und bevor der Server sie "
    "bestätigte: Sie wurde vielleicht zugestellt. Bitte prüfen, bevor Sie sie erneut senden.",
    {"gesendet", "teilweise gesendet", "zurückgestellt", "fehlgeschlagen"},
};

// Prints the outbox's events as they arrive, as text or JSON lines.
class printer {
  public:
    explicit printer(const send_options& o)
        : o_(o), w_(o.lang == language::de ? german : english) {}

    void operator()(const event& e) const {
        std::visit([this](const auto& ev) { show(ev); }, e);
        std::cout.flush();
    }

    void report(const send_report& r) const {
        if (o_.json) {
            boost::json::object o;
            o["event"] = "report";
            for (auto& kv : to_json(r)) {
                o[kv.key()] = kv.value();
            }
            std::cout << boost::json::serialize(o) << '\n';
            return;
        }
        std::cout << w_.result << ": " << w_.outcomes[static_cast<int>(r.outcome)] << '\n';
        for (const auto& rr : r.recipients) {
            const std::string_view cond =
                rr.diagnosis ? smtperr::to_string(rr.diagnosis->condition) : "";
            if (rr.accepted) {
                std::cout << "  ✔ " << rr.address << " (" << w_.accepted << ")\n";
            } else if (rr.pending()) {
                std::cout << "  … " << rr.address << " (" << w_.pending
                          << (cond.empty() ? "" : ": ") << cond << ")\n";
            } else {
                std::cout << "  ✖ " << rr.address << " (" << cond << ")\n";
            }
        }
        if (r.possibly_delivered) {
            std::cout << w_.possibly_delivered << '\n';
        }
    }

  private:
    static void json_line(boost::json::object o) { std::cout << boost::json::serialize(o) << '\n'; }

    std::string line_of(const diagnosis_record& d, std::string_view recipient = {}) const {
        message_args args;
        args.recipient = recipient;
        args.forward_path = d.forward_path;
        return render_message(d.view(), o_.lang, args).list_line;
    }

    void show(const system_message_event& e) const {
        if (o_.json) {
            json_line({{"event", "system_message"},
                       {"severity", smtperr::to_string(e.severity)},
                       {"condition", smtperr::to_string(e.diagnosis.condition)},
                       {"action", smtperr::to_string(e.action)},
                       {"message", e.list_line},
                       {"detail", e.detail},
                       {"action_label", e.action_label},
                       {"server_text", e.server_text},
                       {"help_url",
                        e.help_url.empty() ? boost::json::value() : boost::json::value(e.help_url)},
                       {"diagnosis", to_json(e.diagnosis)}});
            return;
        }
        std::cout << (e.severity == severity::error ? "✖ " : "⚠ ") << e.list_line << '\n'
                  << "  " << e.detail << '\n';
        if (!e.server_text.empty()) {
            std::cout << "  " << w_.server << ": " << e.server_text << '\n';
        }
        if (!e.action_label.empty()) {
            std::cout << "  " << w_.action << ": " << e.action_label
                      << (e.help_url.empty() ? "" : " – ") << e.help_url << '\n';
        }
    }

    void show(const credentials_required_event& e) const {
        if (o_.json) {
            json_line({{"event", "credentials_required"},
                       {"account", e.account},
                       {"reason", smtperr::to_string(e.reason)},
                       {"condition", smtperr::to_string(e.diagnosis.condition)},
                       {"action", smtperr::to_string(e.diagnosis.action)},
                       {"message", line_of(e.diagnosis)},
                       {"help_url", e.diagnosis.help_url.empty()
                                        ? boost::json::value()
                                        : boost::json::value(e.diagnosis.help_url)}});
            return;
        }
        std::cout << "→ " << w_.sign_in << ' ' << e.account << " (" << smtperr::to_string(e.reason)
                  << "): " << w_.sign_in_hint << '\n';
    }

    void show(const token_refresh_required_event&) const {}  // Answered in run().

    void show(const retry_scheduled_event& e) const {
        const auto in = std::chrono::duration_cast<std::chrono::seconds>(
            e.when - std::chrono::system_clock::now());
        if (o_.json) {
            json_line({{"event", "retry_scheduled"},
                       {"at", utc(e.when, "%Y-%m-%dT%H:%M:%SZ")},
                       {"in_seconds", std::max<std::int64_t>(0, in.count())},
                       {"attempt", e.attempt},
                       {"condition", smtperr::to_string(e.diagnosis.condition)},
                       {"message", line_of(e.diagnosis)}});
            return;
        }
        std::cout << "→ " << w_.retry << " (" << e.attempt
                  << "): " << utc(e.when, "%Y-%m-%d %H:%M:%S UTC") << " – " << w_.retry_hint
                  << '\n';
    }

    void show(const recipients_rejected_event& e) const {
        if (o_.json) {
            boost::json::array list;
            for (const auto& r : e.recipients) {
                list.push_back({{"address", r.address},
                                {"condition", smtperr::to_string(r.diagnosis.condition)},
                                {"message", line_of(r.diagnosis, r.address)},
                                {"forward_path", r.forward_path.empty()
                                                     ? boost::json::value()
                                                     : boost::json::value(r.forward_path)}});
            }
            json_line({{"event", "recipients_rejected"}, {"recipients", std::move(list)}});
            return;
        }
        for (const auto& r : e.recipients) {
            std::cout << "✖ " << w_.rejected << ": " << r.address << " – "
                      << line_of(r.diagnosis, r.address) << '\n';
        }
    }

    void show(const report_event&) const {
        // The run ends with the attempt's own report (below), also when the message stays
        // in the outbox; the outbox's copy would repeat it.
    }

    const send_options& o_;
    const words& w_;
};

int exit_status(outcome o) {
    switch (o) {
        case outcome::sent:
            return 0;
        case outcome::partially_sent:
            return 2;
        case outcome::deferred:
            return 3;
        case outcome::failed:
            return 4;
    }
    return 4;
}

int run(const send_options& o) {
    sa::submit_options opt;
    opt.host = o.host;
    opt.port = o.port;
    opt.tls = *o.tls;
    opt.credentials = credentials_from(o);
    opt.allow_plaintext_auth = o.allow_plaintext_auth;
    opt.ca_file = o.ca_file;
    if (o.verbose) {
        auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
        opt.logger = std::make_shared<spdlog::logger>("smtperr", std::move(sink));
        opt.logger->set_pattern("[%T.%e] %v");
        opt.logger->set_level(spdlog::level::debug);
    }
    const std::string body = o.message_file.empty() ? make_message(o) : read_file(o.message_file);
    if (opt.credentials && *o.tls == sa::tls_mode::none && !o.allow_plaintext_auth) {
        std::cerr << "smtperr: the password or token is not sent over an unencrypted "
                     "connection: use --tls starttls or implicit (or, for a test server, "
                     "--allow-plaintext-auth)\n";
    }

    net::io_context ioc;
    const printer print(o);
    outbox_options box_opt;
    box_opt.language = o.lang;
    outbox* box_ptr = nullptr;
    const auto sink = [&print, &box_ptr](const event& e) {
        if (const auto* t = std::get_if<token_refresh_required_event>(&e)) {
            // Refreshing a token is the caller's job and this one has no refresh token: the
            // outbox then asks for credentials, which is what gets printed.
            box_ptr->token_refreshed(t->account, false);
            return;
        }
        print(e);
    };
    outbox box(box_opt, sink, [&ioc](std::function<void()> f) { net::post(ioc, std::move(f)); });
    box_ptr = &box;
    const std::string account = opt.credentials ? opt.credentials->user : *o.from;
    if (auto queued = box.enqueue("1", account, o.to); !queued) {
        std::cerr << "smtperr: nothing was sent: " << queued.error().message() << '\n';
        return 1;
    }
    auto due = box.take_due();

    auto ssl = sa::make_client_context();
    std::optional<send_report> report;
    boost::system::error_code input_error;
    sa::async_submit(ioc, ssl, opt, sa::message{*o.from, due.front().recipients, body},
                     [&](boost::system::error_code ec, send_report r) {
                         if (ec) {
                             input_error = ec;
                             return;
                         }
                         box.complete("1", r);
                         report = std::move(r);
                     });
    ioc.run();
    if (input_error || !report) {
        std::cerr << "smtperr: nothing was sent: " << input_error.message() << '\n';
        return 1;
    }
    print.report(*report);
    return exit_status(report->outcome);
}

}  // namespace

int cmd_send(int argc, char** argv, int first, language default_lang) {
    try {
        const send_options o = parse(argc, argv, first, default_lang);
        if (o.help) {
            std::cout << "usage:" << send_usage.substr(6);
            return std::cout.flush() ? 0 : 1;  // main() says why on stderr.
        }
        return run(o);
    } catch (const usage_error& e) {
        std::cerr << "smtperr: " << e.why << "\nusage:" << send_usage.substr(6);
        return 1;
    }
}

}  // namespace smtperr::tool
