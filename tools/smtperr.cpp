// smtperr — SMTP error mapping for mail clients.
// Distributed under the Boost Software License, Version 1.0.
//
// The smtperr command-line tool: explain, classify, send, demo (DESIGN.md "command-line
// contract").

#include <smtperr/classify/classify.hpp>
#include <smtperr/messages/messages.hpp>
#include <smtperr/reply/reply.hpp>

#include <boost/json/serialize.hpp>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>
#include <string_view>
#include <unistd.h>
#include <vector>

#include "classify_lines.hpp"
#include "report.hpp"
#include "seed_replies.hpp"
#ifdef SMTPERR_TOOL_SEND
#include "send.hpp"
#endif

namespace {

using namespace smtperr;

constexpr std::string_view usage_head =
    "usage: smtperr explain [--phase P] [--host H] [--mechanism M] [--lang L] [--json] REPLY\n"
    "       smtperr classify [--lang L]      (JSON lines on stdin, one result per line)\n";
constexpr std::string_view usage_tail =
    "       smtperr demo [--lang L]          (the sixteen codes of the help page)\n"
    "phases: greeting ehlo helo starttls auth mail rcpt data data_end rset quit\n";

void print_usage(std::ostream& os) {
    os << usage_head;
#ifdef SMTPERR_TOOL_SEND
    os << tool::send_usage;
#endif
    os << usage_tail;
}

int usage(std::string_view complaint) {
    if (!complaint.empty()) {
        std::cerr << "smtperr: " << complaint << '\n';
    }
    print_usage(std::cerr);
    return 1;
}

// Whether a LANGUAGE entry names English, read as resolve_language() reads German: by its
// leading letters ("en", "en_GB", "en@quot", "en.UTF-8").
bool is_english(std::string_view entry) {
    std::size_t n = 0;
    while (n < entry.size() && std::isalpha(static_cast<unsigned char>(entry[n])) != 0) {
        ++n;
    }
    return n == 2 && std::tolower(static_cast<unsigned char>(entry[0])) == 'e' &&
           std::tolower(static_cast<unsigned char>(entry[1])) == 'n';
}

// As gettext does: the locale from LC_ALL, LC_MESSAGES or LANG (the first one set), and
// before it the first language of the list in LANGUAGE ("fr:de:en") that the catalog has,
// unless the locale is C or POSIX.
language language_from_environment() {
    std::string_view locale;
    for (const char* var : {"LC_ALL", "LC_MESSAGES", "LANG"}) {
        if (const char* v = std::getenv(var); v != nullptr && *v != '\0') {
            locale = v;
            break;
        }
    }
    const char* list = std::getenv("LANGUAGE");
    if (list != nullptr && !locale.empty() && locale != "C" && locale != "POSIX") {
        for (std::string_view rest = list; !rest.empty();) {
            const auto entry = rest.substr(0, rest.find(':'));
            rest.remove_prefix(std::min(rest.size(), entry.size() + 1));
            if (resolve_language(entry) == language::de) {
                return language::de;
            }
            if (is_english(entry)) {
                return language::en;
            }
        }
    }
    return resolve_language(locale);
}

struct options {
    std::optional<phase> ph;
    std::string host;
    std::string mechanism;
    language lang = language_from_environment();
    bool json = false;
    bool help = false;  ///< --help or -h after the command.
    std::vector<std::string> positional;
    std::vector<std::string> given;  ///< The options named, in order ("--phase", …).
};

// Parses the options shared by the subcommands; returns an error text or "".
std::string parse_options(int argc, char** argv, int first, options& o) {
    for (int i = first; i < argc; ++i) {
        const std::string_view a = argv[i];
        auto value = [&](std::string& out) {
            if (i + 1 >= argc)
                return false;
            out = argv[++i];
            return true;
        };
        std::string v;
        if (a.size() > 1 && a[0] == '-') {
            o.given.emplace_back(a);
        }
        if (a == "--json") {
            o.json = true;
        } else if (a == "--help" || a == "-h") {
            o.help = true;
        } else if (a == "--phase") {
            if (!value(v))
                return "--phase needs a value";
            o.ph = phase_from_string(v);
            if (!o.ph)
                return "unknown phase: " + v;
        } else if (a == "--host") {
            if (!value(o.host))
                return "--host needs a value";
        } else if (a == "--mechanism") {
            if (!value(o.mechanism))
                return "--mechanism needs a value";
        } else if (a == "--lang") {
            if (!value(v) || v.empty())
                return "--lang needs a value, not an empty one";
            o.lang = resolve_language(v);
        } else if (a.size() > 1 && a[0] == '-') {
            return "unknown option: " + std::string(a);
        } else {
            o.positional.emplace_back(a);
        }
    }
    return {};
}

// classify and demo take --lang only: an option that would change nothing is refused rather
// than ignored (classify reads the phase, host and mechanism from each input line).
std::string only_lang(std::string_view cmd, const options& o) {
    for (const auto& g : o.given) {
        if (g != "--lang") {
            return std::string(cmd) + " takes no " + g + " (only --lang)";
        }
    }
    return {};
}

int cmd_explain(const options& o) {
    if (o.positional.size() != 1) {
        return usage("explain takes exactly one REPLY");
    }
    // A reply pasted with the newline after it (or a blank line) is still that reply.
    auto parsed = parse_reply(tool::trim_reply_end(o.positional[0]));
    if (!parsed) {
        if (o.json) {
            boost::json::object err;
            err["error"] = "cannot parse reply: " + parsed.error().message();
            std::cout << boost::json::serialize(err) << '\n';
        } else {
            std::cerr << "smtperr: cannot parse reply: " << parsed.error().message() << '\n';
        }
        return 1;
    }
    const reply_view r = parsed.value().view();
    const classify_context ctx{o.ph.value_or(tool::typical_phase(r.code)), o.host, o.mechanism};
    const diagnosis d = classify(r, ctx);
    if (o.json) {
        std::cout << boost::json::serialize(tool::to_json(r, d, o.lang)) << '\n';
    } else {
        std::cout << sanitize_server_text(std::string(std::to_string(r.code)) + ' ' +
                                          std::string(r.text))
                  << '\n';
        tool::print_explanation(std::cout, r, d, o.lang);
    }
    return 0;
}

int cmd_classify(const options& o) {
    if (auto err = only_lang("classify", o); !err.empty()) {
        return usage(err);
    }
    if (!o.positional.empty()) {
        return usage("classify reads stdin and takes no arguments");
    }
    tool::line_classifier lines(o.lang);
    std::vector<char> buf(1 << 16);
    // read(), not fread(): fread() waits for a full buffer, and a program that writes one
    // line and waits for its answer would wait forever.
    for (;;) {
        const auto n = ::read(STDIN_FILENO, buf.data(), buf.size());
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            std::cerr << "smtperr: cannot read the input: " << std::strerror(errno) << '\n';
            lines.finish(std::cout);
            return 1;
        }
        if (n == 0) {
            break;
        }
        lines.feed(std::string_view(buf.data(), static_cast<std::size_t>(n)), std::cout);
        if (!std::cout.flush()) {
            return 1;  // main() says why.
        }
    }
    lines.finish(std::cout);
    return lines.failed() ? 1 : 0;
}

int cmd_demo(const options& o) {
    if (auto err = only_lang("demo", o); !err.empty()) {
        return usage(err);
    }
    if (!o.positional.empty()) {
        return usage("demo takes no arguments");
    }
    const language langs_both[] = {language::de, language::en};
    const language lang_one[] = {o.lang};
    const auto langs = o.given.empty() ? std::span<const language>(langs_both)
                                       : std::span<const language>(lang_one);
    for (const auto& seed : tool::seed_replies()) {
        auto parsed = parse_reply(seed.reply);
        if (!parsed) {
            std::cerr << "smtperr: bad seed reply: " << seed.reply << '\n';
            return 1;
        }
        const reply_view r = parsed.value().view();
        const diagnosis d = classify(r, classify_context{seed.ph, {}, {}});
        std::cout << "== " << seed.reply << "   [" << to_string(seed.ph) << "]\n";
        for (const auto lang : langs) {
            std::cout << " [" << to_string(lang) << "]\n";
            tool::print_explanation(std::cout, r, d, lang);
        }
        std::cout << '\n';
    }
    return 0;
}

// False, said on stderr, if the output could not be written (a full disk, a closed pipe): a
// batch job must not take a lost or cut-off result for a complete one.
bool output_written() {
    if (!std::cout.flush()) {
        std::cerr << "smtperr: cannot write the output\n";
        return false;
    }
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    // A closed output pipe is a write error to report (exit status 1), not a silent death by
    // SIGPIPE: `send … | head -1` must not end a session after DATA without a word.
    std::signal(SIGPIPE, SIG_IGN);
    if (argc < 2) {
        return usage("");
    }
    const std::string_view cmd = argv[1];
    if (cmd == "--help" || cmd == "-h" || cmd == "help") {
        print_usage(std::cout);
        return output_written() ? 0 : 1;
    }
    if (cmd != "explain" && cmd != "classify" && cmd != "demo"
#ifdef SMTPERR_TOOL_SEND
        && cmd != "send"
#endif
    ) {
        return usage("unknown command: " + std::string(cmd));
    }
#ifdef SMTPERR_TOOL_SEND
    if (cmd == "send") {  // Options of its own (DESIGN.md).
        try {
            // The exit status says how the submission went; a lost report is said on stderr.
            const int status = tool::cmd_send(argc, argv, 2, language_from_environment());
            output_written();
            return status;
        } catch (const std::exception& e) {
            std::cerr << "smtperr: " << e.what() << '\n';
            return 1;
        }
    }
#endif
    options o;
    if (auto err = parse_options(argc, argv, 2, o); !err.empty()) {
        return usage(err);
    }
    if (o.help) {
        print_usage(std::cout);
        return output_written() ? 0 : 1;
    }
    int status = 0;
    try {
        if (cmd == "explain") {
            status = cmd_explain(o);
        } else if (cmd == "classify") {
            status = cmd_classify(o);
        } else {
            status = cmd_demo(o);
        }
    } catch (const std::exception& e) {
        std::cerr << "smtperr: " << e.what() << '\n';
        return 1;
    }
    return output_written() ? status : 1;
}
