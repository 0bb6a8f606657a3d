// The smtperr command-line tool, run as a user would: explain, classify, demo and send, with
// their exit statuses and DESIGN.md's JSON keys. `send` talks to the embedded scenario
// server (examples/scenario_server.hpp) on 127.0.0.1, started by smtperr_scenario_server.

#include <boost/json/parse.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <arpa/inet.h>
#include <array>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <netinet/in.h>
#include <poll.h>
#include <string>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <utility>
#include <vector>

#include "test_message.hpp"

namespace {

// A file in the temporary directory of this process's own: ctest -j runs the cases of this
// file as concurrent processes.
std::filesystem::path temp_file(const std::string& name) {
    return std::filesystem::temp_directory_path() /
           (name + "." + std::to_string(static_cast<long>(getpid())));
}

struct run_result {
    int status = -1;
    std::string out;
};

// Runs the shell command `cmd`: its exit status and standard output.
run_result run_command(const std::string& cmd) {
    run_result r;
    FILE* p = popen(cmd.c_str(), "r");
    REQUIRE(p != nullptr);
    std::array<char, 4096> buf{};
    std::size_t n = 0;
    while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) {
        r.out.append(buf.data(), n);
    }
    const int st = pclose(p);
    r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    return r;
}

// Runs the tool with `args` (shell-quoted by the caller) and `input` on stdin.
run_result run(const std::string& args, const std::string& input = {}) {
    const auto in_path = temp_file("smtperr_cli_test_input");
    {
        std::ofstream in(in_path, std::ios::binary);
        in << input;
    }
    run_result r = run_command(std::string(SMTPERR_TOOL) + " " + args + " < " + in_path.string() +
                               " 2>/dev/null");
    std::filesystem::remove(in_path);
    return r;
}

// The tool started with `args` and pipes to its stdin and from its stdout (stderr dropped),
// for a conversation: a test writes a line and waits for the answer.
struct child {
    pid_t pid = -1;
    int in = -1;   // its stdin, ours to write
    int out = -1;  // its stdout, ours to read

    explicit child(const char* arg) {
        int to[2];
        int from[2];
        REQUIRE(pipe(to) == 0);
        REQUIRE(pipe(from) == 0);
        pid = fork();
        REQUIRE(pid >= 0);
        if (pid == 0) {
            dup2(to[0], 0);
            dup2(from[1], 1);
            const int null = open("/dev/null", O_WRONLY);
            dup2(null, 2);
            close(to[1]);
            close(from[0]);
            execl(SMTPERR_TOOL, SMTPERR_TOOL, arg, static_cast<char*>(nullptr));
            _exit(127);
        }
        close(to[0]);
        close(from[1]);
        in = to[1];
        out = from[0];
    }

    // What arrives on its stdout up to and with the next line end, or "" after `seconds`.
    std::string read_line(int seconds) {
        std::string line;
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
        char c = 0;
        while (line.empty() || line.back() != '\n') {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - std::chrono::steady_clock::now());
            pollfd p{out, POLLIN, 0};
            if (left.count() <= 0 || poll(&p, 1, static_cast<int>(left.count())) <= 0 ||
                read(out, &c, 1) != 1) {
                return {};
            }
            line.push_back(c);
        }
        return line;
    }

    // Closes its stdin and returns its exit status.
    int finish() {
        close(in);
        char buf[4096];
        while (read(out, buf, sizeof buf) > 0) {
        }
        close(out);
        int st = 0;
        waitpid(pid, &st, 0);
        return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    }
};

struct closed_pipe_result {
    int status = -1;  // -1: killed by a signal
    std::string err;
};

// Runs `sh -c "exec TOOL args"` with its stdout a pipe whose reading end is already closed
// (as after `| head` has exited), SIGPIPE at its default, stdin from `input`.
closed_pipe_result run_into_closed_pipe(const std::string& args, const std::string& input = {}) {
    const auto in_path = temp_file("smtperr_cli_test_pipe_in");
    const auto err_path = temp_file("smtperr_cli_test_pipe_err");
    {
        std::ofstream in(in_path, std::ios::binary);
        in << input;
    }
    const std::string cmd = "exec " + std::string(SMTPERR_TOOL) + " " + args + " < " +
                            in_path.string() + " 2> " + err_path.string();
    int p[2];
    REQUIRE(pipe(p) == 0);
    close(p[0]);
    const pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        std::signal(SIGPIPE, SIG_DFL);
        dup2(p[1], 1);
        execl("/bin/sh", "sh", "-c", cmd.c_str(), static_cast<char*>(nullptr));
        _exit(127);
    }
    close(p[1]);
    int st = 0;
    waitpid(pid, &st, 0);
    closed_pipe_result r;
    r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    std::ifstream e(err_path, std::ios::binary);
    r.err.assign(std::istreambuf_iterator<char>(e), std::istreambuf_iterator<char>());
    std::filesystem::remove(in_path);
    std::filesystem::remove(err_path);
    return r;
}

std::vector<std::string> lines(const std::string& s) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start < s.size()) {
        const auto lf = s.find('\n', start);
        out.push_back(s.substr(start, lf - start));
        if (lf == std::string::npos)
            break;
        start = lf + 1;
    }
    return out;
}

bool contains(const std::string& s, const std::string& what) {
    return s.find(what) != std::string::npos;
}

const char* const design_keys[] = {"code",     "status",   "phase",     "condition",
                                   "action",   "scope",    "transient", "retry_after_seconds",
                                   "provider", "help_url", "message",   "server_text"};

void check_design_keys(const boost::json::object& o) {
    for (const char* key : design_keys) {
        INFO("key " << key);
        CHECK(o.contains(key));
    }
    CHECK(o.at("code").is_int64());
    CHECK(o.at("transient").is_bool());
    CHECK(o.at("message").is_string());
    CHECK(o.at("server_text").is_string());
}

}  // namespace

TEST_SUITE("tools/smtperr") {
    TEST_CASE("explain shows the parsed code, the enhanced status and its registry meaning") {
        const auto r = run("explain --lang en '550 5.1.1 user unknown'");
        CHECK(r.status == 0);
        CHECK(contains(r.out, "550 Requested action not taken: mailbox unavailable"));
        CHECK(contains(r.out, "5.1.1 (meaning: Bad destination mailbox address)"));
        CHECK(contains(r.out, "recipient_unknown (permanent)"));
        CHECK(contains(r.out, "Recipient unknown"));
        const auto de = run("explain --lang de --phase rcpt '550 5.1.1 user unknown'");
        CHECK(contains(de.out, "Erweiterter Status: 5.1.1"));
        CHECK(contains(de.out, "Empfänger"));
        // The standards' English words are marked as such in German, not passed off as German.
        CHECK(contains(de.out,
                       "Antwortcode: 550 – Wortlaut der Norm (englisch): Requested action "
                       "not taken: mailbox unavailable\n"));
        CHECK(contains(de.out,
                       "5.1.1 (Bedeutung laut IANA-Register, englisch: Bad destination "
                       "mailbox address)"));
    }

    TEST_CASE("explain: an enhanced code of another class than the reply code's is named") {
        // The server's class on the first line, and the reply code's, which counts.
        const auto first = run("explain --lang en '550 4.1.1 x'");
        CHECK(contains(first.out, "Enhanced status: 5.1.1"));
        CHECK(contains(first.out, "[the server wrote class 4; the reply code's class counts: 5]"));
        // On another line: the first line's class agrees, so it is not the one to name (found in
        // review: "[class 5 != 5]").
        const auto later =
            run("explain --lang en \"$(printf '550-5.1.1 first\\n550-4.2.2 second\\n550 third')\"");
        CHECK(later.status == 0);
        CHECK(contains(later.out,
                       "[another line's enhanced code has another class; the reply "
                       "code's class counts: 5]"));
        CHECK_FALSE(contains(later.out, "5 != 5"));
        const auto de = run("explain --lang de '550 4.1.1 x'");
        CHECK(contains(de.out,
                       "[der Server schrieb Klasse 4; es gilt die Klasse des "
                       "Antwortcodes: 5]"));
    }

    TEST_CASE("explain: 221 answers QUIT, and an empty --lang is a usage error") {
        const auto bye = boost::json::parse(run("explain --json '221 2.0.0 Bye'").out).as_object();
        CHECK(bye.at("phase").as_string() == "quit");
        CHECK(bye.at("condition").as_string() == "none");
        for (const char* args :
             {"explain --lang '' '550 5.1.1 x'", "classify --lang ''", "demo --lang ''"}) {
            INFO(args);
            const auto r = run_command(std::string(SMTPERR_TOOL) + " " + args + " 2>&1 </dev/null");
            CHECK(r.status == 1);
            CHECK(contains(r.out, "--lang needs a value, not an empty one"));
        }
        // A language the catalog lacks falls back to English, as the environment's does.
        const auto fr = boost::json::parse(run("explain --json --lang fr '550 5.1.1 x'").out);
        CHECK(fr.as_object().at("lang").as_string() == "en");
    }

    TEST_CASE("explain: the language from the environment, LANGUAGE first, as gettext does") {
        const auto lang = [](const std::string& env) {
            const auto r =
                run_command("env -u LC_ALL -u LC_MESSAGES -u LANG -u LANGUAGE " + env + " " +
                            SMTPERR_TOOL + " explain --json '550 5.1.1 user unknown' </dev/null");
            REQUIRE(r.status == 0);
            return r.out.find("Empf") != std::string::npos ? "de" : "en";
        };
        CHECK(std::string(lang("LANG=de_DE.UTF-8")) == "de");
        CHECK(std::string(lang("LANG=en_US.UTF-8")) == "en");
        CHECK(std::string(lang("LANG=en_US.UTF-8 LANGUAGE=de:en")) == "de");
        CHECK(std::string(lang("LANG=de_DE.UTF-8 LANGUAGE=fr:en:de")) == "en");
        CHECK(std::string(lang("LANG=en_US.UTF-8 LANGUAGE=fr:de_AT")) == "de");
        CHECK(std::string(lang("LC_ALL=de_DE.UTF-8 LANG=en_US.UTF-8")) == "de");
        CHECK(std::string(lang("LC_MESSAGES=en_GB.UTF-8 LANG=de_DE.UTF-8")) == "en");
        // English entries are read by their leading letters, as German ones are.
        CHECK(std::string(lang("LANG=de_DE.UTF-8 LANGUAGE=en@quot")) == "en");
        CHECK(std::string(lang("LANG=en_US.UTF-8 LANGUAGE=en.UTF-8:de")) == "en");
        CHECK(std::string(lang("LANG=de_DE.UTF-8 LANGUAGE=EN-gb:de")) == "en");
        CHECK(std::string(lang("LANG=en_US.UTF-8 LANGUAGE=eng:de")) == "de");  // not "en"
        // LANGUAGE counts only with a locale other than C.
        CHECK(std::string(lang("LANG=C LANGUAGE=de")) == "en");
        CHECK(std::string(lang("LANGUAGE=de")) == "en");
    }

    TEST_CASE("explain --json: Gmail's app-password reply with Google's help link") {
        const auto r =
            run("explain --json --phase auth --host smtp.gmail.com \"$(printf '534-5.7.9 "
                "Application-specific password required. Learn more at\\n534 5.7.9  "
                "https://support.google.com/mail/?p=InvalidSecondFactor x - gsmtp')\"");
        CHECK(r.status == 0);
        const auto o = boost::json::parse(r.out).as_object();
        check_design_keys(o);
        CHECK(o.at("code").as_int64() == 534);
        CHECK(o.at("status").as_string() == "5.7.9");
        CHECK(o.at("phase").as_string() == "auth");
        CHECK(o.at("condition").as_string() == "app_password_required");
        CHECK(o.at("action").as_string() == "create_app_password");
        CHECK(o.at("scope").as_string() == "account");
        CHECK(o.at("provider").as_string() == "gmail");
        CHECK(o.at("help_url").as_string() ==
              "https://support.google.com/mail/?p=InvalidSecondFactor");
    }

    TEST_CASE("explain: a reply that does not parse is exit status 1 with an error") {
        const auto r = run("explain --json '5x0 nope'");
        CHECK(r.status == 1);
        CHECK(boost::json::parse(r.out).as_object().contains("error"));
        CHECK(run("explain").status == 1);
        CHECK(run("explain --phase nowhere '250 ok'").status == 1);
        CHECK(run("frobnicate").status == 1);
        // An unknown command is one, whatever follows it (found in review: "--help" after
        // it gave the usage and exit status 0, an option a complaint about the option).
        for (const char* args : {"frobnicate --help", "frobnicate --phase x", "frobnicate -h"}) {
            INFO("args " << args);
            const auto u = run_command(std::string(SMTPERR_TOOL) + " " + args + " 2>&1");
            CHECK(u.status == 1);
            CHECK(u.out.rfind("smtperr: unknown command: frobnicate\n", 0) == 0);
        }
    }

    TEST_CASE("explain: a reply with line ends or blank lines after it is that reply") {
        // Found in review: a trailing blank line was "data after the final line".
        const auto plain = run("explain --json '550 5.1.1 a'");
        REQUIRE(plain.status == 0);
        for (const char* tail : {"\n", "\r\n", "\n\n", "\r\n\r\n\n"}) {
            const auto r = run("explain --json '550 5.1.1 a" + std::string(tail) + "'");
            CHECK(r.status == 0);
            CHECK(r.out == plain.out);
        }
        // Not in the middle: a blank line between two lines is still an error.
        CHECK(run("explain --json '550-5.1.1 a\n\n550 5.1.1 b'").status == 1);
    }

    TEST_CASE("explain --json: code is the reply's code, and another error code is apart") {
        const auto ok =
            boost::json::parse(run("explain --json '550 5.1.1 user unknown'").out).as_object();
        CHECK(ok.at("code").as_int64() == 550);
        CHECK(ok.at("category").as_string() == "smtperr.reply");
        CHECK(ok.at("error_code").is_null());
        // An XOAUTH2 challenge that is not base64: the diagnosis's error code is the SASL
        // decoder's, the reply is still a 334.
        const auto r = run("explain --json --phase auth --mechanism XOAUTH2 '334 !!!notbase64'");
        CHECK(r.status == 0);
        const auto o = boost::json::parse(r.out).as_object();
        CHECK(o.at("code").as_int64() == 334);
        CHECK(o.at("category").as_string() == "smtperr.reply");
        CHECK(o.at("condition").as_string() == "oauth_token_invalid");
        const auto& e = o.at("error_code").as_object();
        CHECK(e.at("category").as_string() == "smtperr.transport");
        CHECK(e.at("value").as_int64() == 200);  // errc::sasl_invalid_base64
        CHECK(contains(std::string(e.at("message").as_string()), "base64"));
    }

    TEST_CASE("explain: a positive reply is neither temporary nor permanent") {
        const auto r = run("explain --lang en '250 2.0.0 ok'");
        CHECK(r.status == 0);
        CHECK(contains(r.out, "Condition: none\n"));
        CHECK_FALSE(contains(r.out, "permanent"));
        const auto failure = run("explain --lang en '451 4.3.0 try again'");
        CHECK(contains(failure.out, "(temporary)"));
    }

    TEST_CASE("classify streams one object per line, in order, and goes on after bad lines") {
        const std::string input =
            "{\"phase\": \"rcpt\", \"host\": null, \"reply\": \"550 5.1.1 user unknown\"}\n"
            "this is not JSON\n"
            "{\"phase\": \"nowhere\", \"reply\": \"250 ok\"}\n"
            "{\"phase\": \"auth\", \"host\": \"smtp.gmail.com\", \"reply\": "
            "\"535-5.7.8 Username and Password not accepted.\\r\\n535 5.7.8 "
            "https://support.google.com/mail/?p=BadCredentials x - gsmtp\"}\n"
            "{\"phase\": \"rcpt\", \"reply\": \"\"}\n";
        const auto r = run("classify --lang en", input);
        CHECK(r.status == 1);
        const auto out = lines(r.out);
        REQUIRE(out.size() == 5);
        const auto first = boost::json::parse(out[0]).as_object();
        check_design_keys(first);
        CHECK(first.at("condition").as_string() == "recipient_unknown");
        CHECK(boost::json::parse(out[1]).as_object().contains("error"));
        CHECK(boost::json::parse(out[2]).as_object().contains("error"));
        const auto fourth = boost::json::parse(out[3]).as_object();
        CHECK(fourth.at("condition").as_string() == "authentication_failed");
        CHECK(fourth.at("help_url").as_string() ==
              "https://support.google.com/mail/?p=BadCredentials");
        CHECK(boost::json::parse(out[4]).as_object().contains("error"));
    }

    TEST_CASE("classify answers a line as soon as it is complete, before the input ends") {
        // A program that writes a line and waits for the answer (found in review: the tool
        // waited for 64 KiB or the end of the input).
        child tool("classify");
        const std::string line = "{\"phase\": \"rcpt\", \"reply\": \"550 5.1.1 user unknown\"}\n";
        REQUIRE(write(tool.in, line.data(), line.size()) == static_cast<ssize_t>(line.size()));
        const auto answer = tool.read_line(20);
        REQUIRE(!answer.empty());
        CHECK(boost::json::parse(answer).as_object().at("condition").as_string() ==
              "recipient_unknown");
        REQUIRE(write(tool.in, line.data(), line.size()) == static_cast<ssize_t>(line.size()));
        CHECK(!tool.read_line(20).empty());
        CHECK(tool.finish() == 0);
    }

    TEST_CASE("input that cannot be read or output that cannot be written is exit status 1") {
        // A batch job must not take a lost result for a complete one (found in review).
        const std::string tool = SMTPERR_TOOL;
        const std::string dir = std::filesystem::temp_directory_path().string();
        CHECK(run_command(tool + " classify < " + dir + " 2>/dev/null").status == 1);
        CHECK(run_command(tool + " explain --json '550 5.1.1 x' > /dev/full 2>/dev/null").status ==
              1);
        CHECK(run_command(tool + " demo > /dev/full 2>/dev/null").status == 1);
        CHECK(run_command("echo '{\"reply\": \"550 5.1.1 x\"}' | " + tool +
                          " classify > /dev/full 2>/dev/null")
                  .status == 1);
        // Help that cannot be written is no help either.
        CHECK(run_command(tool + " --help > /dev/full 2>/dev/null").status == 1);
        CHECK(run_command(tool + " explain --help > /dev/full 2>/dev/null").status == 1);
        CHECK(run_command(tool + " send --help > /dev/full 2>/dev/null").status == 1);
        // A closed pipe (the reader gone, as after `| head -1`) likewise: said on stderr and
        // exit status 1, not a silent death by SIGPIPE (found in review).
        for (const char* args : {"demo", "explain --json '550 5.1.1 x'", "explain '550 5.1.1 x'",
                                 "--help", "classify"}) {
            INFO("args " << args);
            const auto r = run_into_closed_pipe(args, "{\"reply\": \"550 5.1.1 x\"}\n");
            CHECK(r.status == 1);
            CHECK(contains(r.err, "smtperr: cannot write the output"));
        }
        // And the same commands with somewhere to write succeed.
        CHECK(run_command(tool + " explain --json '550 5.1.1 x' > /dev/null").status == 0);
        CHECK(run_command("echo '{\"reply\": \"550 5.1.1 x\"}' | " + tool + " classify > /dev/null")
                  .status == 0);
    }

    TEST_CASE("classify: a key twice in a line is an error, not the last one's value") {
        // Another reader would take the first (found in review).
        const auto r = run("classify",
                           "{\"reply\": \"550 5.1.1 a\", \"reply\": \"250 ok\"}\n"
                           "{\"phase\": \"rcpt\", \"phase\": \"mail\", \"reply\": "
                           "\"550 5.1.1 a\"}\n");
        CHECK(r.status == 1);
        const auto out = lines(r.out);
        REQUIRE(out.size() == 2);
        for (const auto& line : out) {
            CHECK(boost::json::parse(line).as_object().at("error").as_string() ==
                  "invalid JSON: a key appears twice in one object");
        }
    }

    TEST_CASE("classify: an id given twice is not echoed (which one would be a guess)") {
        const auto r = run("classify", "{\"id\": 1, \"id\": 2, \"reply\": \"550 5.1.1 x\"}\n");
        CHECK(r.status == 1);
        const auto out = lines(r.out);
        REQUIRE(out.size() == 1);
        const auto o = boost::json::parse(out[0]).as_object();
        CHECK(o.at("error").as_string() == "invalid JSON: a key appears twice in one object");
        CHECK_FALSE(o.contains("id"));
    }

    TEST_CASE("--help and -h after any command: the usage on stdout, exit status 0") {
        for (const char* args : {"--help", "-h", "explain --help", "explain -h", "classify --help",
                                 "demo -h", "explain --json --help", "send --help"}) {
            INFO("args " << args);
            const auto r = run(args);
            CHECK(r.status == 0);
            CHECK(contains(r.out, "usage:"));
        }
        // A value, not a request for help: --host takes the next argument whatever it is.
        const auto r = run("explain --json --host --help '550 5.1.1 x'");
        CHECK(r.status == 0);
        CHECK_FALSE(contains(r.out, "usage:"));
    }

    TEST_CASE("classify echoes an input's id, on errors too") {
        const std::string input =
            "{\"id\": 7, \"phase\": \"nowhere\", \"reply\": \"250 ok\"}\n"
            "{\"id\": \"b\", \"reply\": \"550 5.1.1 x\"}\n"
            "{\"id\": 12, \"reply\": 550}\n"
            "not JSON, \"id\": 9\n"
            // Only strings and integers: 1e400 would come back as "Infinity", no JSON at all.
            "{\"id\": 1e400, \"reply\": \"550 5.1.1 x\"}\n"
            "{\"id\": [1], \"reply\": \"550 5.1.1 x\"}\n";
        const auto r = run("classify", input);
        CHECK(r.status == 1);
        const auto out = lines(r.out);
        REQUIRE(out.size() == 6);
        const auto first = boost::json::parse(out[0]).as_object();
        CHECK(first.contains("error"));
        CHECK(first.at("id") == boost::json::value(7));
        const auto second = boost::json::parse(out[1]).as_object();
        CHECK(second.at("condition").as_string() == "recipient_unknown");
        CHECK(second.at("id").as_string() == "b");
        const auto third = boost::json::parse(out[2]).as_object();
        CHECK(third.contains("error"));
        CHECK(third.at("id") == boost::json::value(12));
        const auto fourth = boost::json::parse(out[3]).as_object();
        CHECK(fourth.contains("error"));
        CHECK_FALSE(fourth.contains("id"));
        for (const std::size_t i : {4u, 5u}) {
            const auto o = boost::json::parse(out[i]).as_object();
            CHECK(o.at("error").as_string() == "\"id\" must be a string or an integer");
            CHECK_FALSE(o.contains("id"));
        }
    }

    TEST_CASE("classify: exit status 0 when every line was good, and a huge line is one error") {
        const std::string good = "{\"phase\": \"greeting\", \"reply\": \"421 try later\"}\n";
        const auto ok = run("classify", good + good);
        CHECK(ok.status == 0);
        CHECK(lines(ok.out).size() == 2);
        const std::string huge = "{\"reply\": \"" + std::string(2u << 20, 'x') + "\"}\n";
        const auto r = run("classify", good + huge + good);
        CHECK(r.status == 1);
        const auto out = lines(r.out);
        REQUIRE(out.size() == 3);
        CHECK(boost::json::parse(out[1]).as_object().contains("error"));
        CHECK(boost::json::parse(out[2]).as_object().at("condition").as_string() ==
              "service_unavailable");
    }

    TEST_CASE(
        "classify: a blank line is answered in its place, and a null phase is the code's "
        "usual one") {
        // One object per line, in order (DESIGN.md): a caller pairs answers with lines by
        // their position, so a blank line gets an error object of its own.
        const std::string input =
            "\n   \n\t\r\n"
            "{\"phase\": null, \"host\": null, \"reply\": \"550 5.1.1 x\"}\n"
            "\n"
            "{\"reply\": \"550 5.1.1 x\"}\n";
        const auto r = run("classify", input);
        CHECK(r.status == 1);
        const auto out = lines(r.out);
        REQUIRE(out.size() == 6);
        for (const std::size_t i : {0u, 1u, 2u, 4u}) {
            CAPTURE(i);
            const auto o = boost::json::parse(out[i]).as_object();
            CHECK(o.at("error").as_string() == "blank line: no JSON object");
        }
        for (const std::size_t i : {3u, 5u}) {
            CAPTURE(i);
            const auto o = boost::json::parse(out[i]).as_object();
            CHECK(o.at("phase").as_string() == "rcpt");
            CHECK(o.at("condition").as_string() == "recipient_unknown");
        }
        // The input's last line feed ends a line; it does not start an empty one.
        CHECK(lines(run("classify", "{\"reply\": \"550 5.1.1 x\"}\n").out).size() == 1);
    }

    TEST_CASE("classify: a byte order mark before the first line is ignored, not elsewhere") {
        const std::string line = "{\"reply\": \"550 5.1.1 x\"}\n";
        const auto r = run("classify", "\xEF\xBB\xBF" + line + line);
        CHECK(r.status == 0);
        const auto out = lines(r.out);
        REQUIRE(out.size() == 2);
        for (const auto& o : out) {
            CHECK(boost::json::parse(o).as_object().at("condition").as_string() ==
                  "recipient_unknown");
        }
        // Inside the stream it is what it is: no JSON.
        const auto later = run("classify", line + "\xEF\xBB\xBF" + line);
        CHECK(later.status == 1);
        const auto out2 = lines(later.out);
        REQUIRE(out2.size() == 2);
        CHECK(boost::json::parse(out2[1]).as_object().contains("error"));
    }

    TEST_CASE("classify: a reply with line ends after it is that reply, as in explain") {
        // Found in review: explain took "550 5.1.1 a\r\n" as the reply, classify refused it.
        const auto plain = run("classify", "{\"reply\": \"550 5.1.1 a\"}\n");
        REQUIRE(plain.status == 0);
        for (const char* tail : {"\\n", "\\r\\n", "\\r\\n\\r\\n\\n"}) {
            const auto r =
                run("classify", "{\"reply\": \"550 5.1.1 a" + std::string(tail) + "\"}\n");
            CHECK(r.status == 0);
            CHECK(r.out == plain.out);
        }
        // A line of spaces after the last line is still data after it.
        CHECK(run("classify", "{\"reply\": \"550 5.1.1 a\\r\\n \"}\n").status == 1);
    }

    TEST_CASE("classify and demo refuse options that would change nothing") {
        // classify reads the phase, host and mechanism from each line; demo has fixed replies.
        for (const char* args :
             {"classify --phase auth", "classify --host smtp.gmail.com", "classify --json",
              "classify --mechanism XOAUTH2", "demo --json", "demo --phase rcpt", "demo extra"}) {
            INFO(args);
            const auto r = run(args, "{\"reply\": \"535 5.7.8 x\"}\n");
            CHECK(r.status == 1);
            CHECK(r.out.empty());
        }
        CHECK(run("classify --lang de", "{\"reply\": \"535 5.7.8 x\"}\n").status == 0);
        CHECK(run("demo --lang de").status == 0);
    }

    TEST_CASE("demo explains the sixteen codes of the help page in German and English") {
        const auto r = run("demo");
        CHECK(r.status == 0);
        std::size_t sections = 0;
        for (const auto& l : lines(r.out)) {
            if (l.rfind("== ", 0) == 0)
                ++sections;
        }
        CHECK(sections == 16);
        for (const char* code : {"421", "450", "451", "452", "454", "501", "503", "504", "521",
                                 "530", "535", "550", "551", "552", "553", "554"}) {
            INFO("code " << code);
            CHECK(contains(r.out, std::string("== ") + code));
        }
        CHECK(contains(r.out, " [de]"));
        CHECK(contains(r.out, " [en]"));
        CHECK(contains(r.out, "nicht Ihre Schuld"));
        CHECK_FALSE(contains(r.out, "{"));
    }
}

#ifdef SMTPERR_SCENARIO_SERVER

#include <cstdlib>
#include <sstream>

#include "support/leak_forms.hpp"

namespace {

struct send_result {
    int status = -1;
    std::string out;
    std::string err;
    std::vector<boost::json::object> events;  // stdout parsed as JSON lines (with --json)
};

// Runs `smtperr send ARGS` (shell-quoted by the caller) against the scenario server playing
// `scenario` (none: no server; the tool is run directly). Secrets go through setenv(), never
// through a command line.
send_result run_send(const std::string& scenario, const std::string& args) {
    const auto err_path = temp_file("smtperr_cli_test_stderr");
    std::string cmd;
    if (!scenario.empty()) {
        cmd = std::string(SMTPERR_SCENARIO_SERVER) + " " + scenario + " -- ";
    }
    cmd += std::string(SMTPERR_TOOL) + " send " +
           (scenario.empty() ? "" : "--server 127.0.0.1:{port} ") + args + " </dev/null 2>" +
           err_path.string();
    send_result r;
    run_result ran = run_command(cmd);
    r.status = ran.status;
    r.out = std::move(ran.out);
    std::ifstream err(err_path, std::ios::binary);
    std::ostringstream e;
    e << err.rdbuf();
    r.err = e.str();
    std::filesystem::remove(err_path);
    if (args.find("--json") != std::string::npos) {
        for (const auto& l : lines(r.out)) {
            if (!l.empty()) {
                boost::system::error_code ec;
                const auto v = boost::json::parse(l, ec);
                INFO("stdout line: " << l);
                REQUIRE_FALSE(ec);
                REQUIRE(v.is_object());
                r.events.push_back(v.as_object());
            }
        }
    }
    return r;
}

std::vector<std::string> event_names(const send_result& r) {
    std::vector<std::string> names;
    for (const auto& e : r.events) {
        names.emplace_back(e.at("event").as_string());
    }
    return names;
}

// The last event, which must be the report with DESIGN.md's keys.
const boost::json::object& report_of(const send_result& r) {
    REQUIRE_FALSE(r.events.empty());
    const auto& rep = r.events.back();
    REQUIRE(rep.at("event").as_string() == "report");
    for (const char* key : {"outcome", "condition", "action", "possibly_delivered", "recipients"}) {
        INFO("key " << key);
        CHECK(rep.contains(key));
    }
    for (const auto& rr : rep.at("recipients").as_array()) {
        CHECK(rr.as_object().at("address").is_string());
        CHECK(rr.as_object().at("accepted").is_bool());
        CHECK(rr.as_object().at("condition").is_string());
    }
    return rep;
}

// Plain TCP to the loopback scenario server, AUTH explicitly allowed.
const std::string plain = "--tls none --allow-plaintext-auth --json ";

}  // namespace

TEST_SUITE("tools/smtperr send") {
    TEST_CASE("send's test message: exactly the size asked for, no line over 998 octets") {
        std::vector<std::string> to;
        for (int i = 0; i < 60; ++i) {
            to.push_back("recipient-number-" + std::to_string(i) + "@a-long-domain.example");
        }
        const auto now = std::chrono::system_clock::time_point(std::chrono::hours(493000));
        const std::string m = smtperr::tool::make_test_message("a@example.org", to, {}, now);
        std::size_t longest = 0;
        std::size_t lines_seen = 0;
        for (std::size_t at = 0; at < m.size();) {
            const auto end = m.find("\r\n", at);
            REQUIRE(end != std::string::npos);   // Every line ends in CRLF.
            CHECK(m.find('\n', at) == end + 1);  // No bare LF.
            longest = std::max(longest, end - at);
            at = end + 2;
            ++lines_seen;
        }
        CHECK(longest <= 998);
        CHECK(lines_seen > 60);
        for (const auto& r : to) {
            CHECK(contains(m, "<" + r + ">"));
        }
        CHECK(contains(m, "\r\nDate: Sun, 29 Mar 2026 16:00:00 +0000\r\n"));
        for (const std::uint64_t size : {m.size(), m.size() + 1, m.size() + 2, m.size() + 3,
                                         m.size() + 78, m.size() + 79, m.size() + 100000}) {
            CAPTURE(size);
            const std::string sized =
                smtperr::tool::make_test_message("a@example.org", to, size, now);
            CHECK(sized.size() == size);
            CHECK(sized.substr(sized.size() - 2) == "\r\n");
        }
        CHECK(smtperr::tool::make_test_message("a@example.org", to, m.size() - 1, now).empty());
    }

    TEST_CASE("send: the right password → sent, exit status 0, only the report") {
        setenv("SMTPERR_TEST_PW", "Neues-Passwort-2026", 1);
        const auto r = run_send("wrong_then_new_password",
                                plain +
                                    "--password-env SMTPERR_TEST_PW --from eva@example.de "
                                    "--to frank@example.net");
        CHECK(r.status == 0);
        CHECK(event_names(r) == std::vector<std::string>{"report"});
        const auto& rep = report_of(r);
        CHECK(rep.at("outcome").as_string() == "sent");
        CHECK(rep.at("condition").as_string() == "none");
        CHECK(rep.at("possibly_delivered").as_bool() == false);
        const auto& rcpts = rep.at("recipients").as_array();
        REQUIRE(rcpts.size() == 1);
        CHECK(rcpts[0].as_object().at("address").as_string() == "frank@example.net");
        CHECK(rcpts[0].as_object().at("accepted").as_bool());
    }

    TEST_CASE("send: a wrong password → one credentials_required, failed, exit status 4") {
        setenv("SMTPERR_TEST_PW", "Altes-Passwort-2025", 1);
        const auto r = run_send("wrong_then_new_password",
                                plain +
                                    "--password-env SMTPERR_TEST_PW --from eva@example.de "
                                    "--to frank@example.net");
        CHECK(r.status == 4);
        CHECK(event_names(r) ==
              std::vector<std::string>{"system_message", "credentials_required", "report"});
        const auto& prompt = r.events[1];
        CHECK(prompt.at("account").as_string() == "eva@example.de");
        CHECK(prompt.at("reason").as_string() == "authentication_failed");
        CHECK(r.events[0].at("condition").as_string() == "authentication_failed");
        CHECK(r.events[0].at("action").as_string() == "reauthenticate");
        const auto& rep = report_of(r);
        CHECK(rep.at("outcome").as_string() == "failed");
        CHECK(rep.at("condition").as_string() == "authentication_failed");
        CHECK(rep.at("action").as_string() == "reauthenticate");
    }

    TEST_CASE("send: Gmail's app-password reply, with Google's help link in the events") {
        setenv("SMTPERR_TEST_PW", "anna's account password", 1);
        const auto r = run_send("gmail_app_password",
                                plain +
                                    "--password-env SMTPERR_TEST_PW "
                                    "--from anna.schmidt@gmail.com --to ben@example.org");
        CHECK(r.status == 4);
        REQUIRE(event_names(r) ==
                std::vector<std::string>{"system_message", "credentials_required", "report"});
        CHECK(r.events[0].at("help_url").as_string() ==
              "https://support.google.com/mail/?p=InvalidSecondFactor");
        CHECK(r.events[1].at("reason").as_string() == "app_password_required");
        CHECK(report_of(r).at("action").as_string() == "create_app_password");
    }

    TEST_CASE("send: Microsoft 365 with password sign-in turned off → basic_auth_disabled") {
        setenv("SMTPERR_TEST_PW", "Summer2026!", 1);
        const auto r = run_send("microsoft_basic_auth_disabled",
                                plain +
                                    "--password-env SMTPERR_TEST_PW "
                                    "--from j.meyer@contoso.com --to k.wagner@fabrikam.com");
        CHECK(r.status == 4);
        REQUIRE(r.events.size() == 3);
        CHECK(r.events[1].at("reason").as_string() == "basic_auth_disabled");
        CHECK(report_of(r).at("condition").as_string() == "basic_auth_disabled");
        // The same account with an OAuth token (XOAUTH2) gets through.
        setenv("SMTPERR_TEST_TOKEN", "EwBwA8l6BAAU-demo-access-token", 1);
        const auto t = run_send("microsoft_basic_auth_disabled",
                                plain +
                                    "--oauth-token-env SMTPERR_TEST_TOKEN "
                                    "--from j.meyer@contoso.com --to k.wagner@fabrikam.com");
        CHECK(t.status == 0);
        CHECK(report_of(t).at("outcome").as_string() == "sent");
    }

    TEST_CASE("send: a refused OAuth token is not refreshed here: credentials_required") {
        setenv("SMTPERR_TEST_TOKEN", "an-expired-token", 1);
        const auto r = run_send("closed_mid_transaction",
                                plain +
                                    "--oauth-token-env SMTPERR_TEST_TOKEN "
                                    "--from oliver@contoso.com --to paula@fabrikam.com");
        CHECK(r.status == 4);
        CHECK(event_names(r) == std::vector<std::string>{"credentials_required", "report"});
        CHECK(r.events[0].at("condition").as_string() == "oauth_token_invalid");
        CHECK(report_of(r).at("condition").as_string() == "oauth_token_invalid");
        CHECK_FALSE(contains(r.out, "an-expired-token"));
    }

    TEST_CASE("send: one unknown recipient among three → partially sent, exit status 2") {
        setenv("SMTPERR_TEST_PW", "s3cret-recipients", 1);
        const auto r = run_send("unknown_recipient",
                                plain +
                                    "--password-env SMTPERR_TEST_PW --from jan@example.org "
                                    "--to karl@example.org --to ines@example.org "
                                    "--to lena@example.org");
        CHECK(r.status == 2);
        REQUIRE(event_names(r) ==
                std::vector<std::string>{"recipients_rejected", "system_message", "report"});
        const auto& rejected = r.events[0].at("recipients").as_array();
        REQUIRE(rejected.size() == 1);
        CHECK(rejected[0].as_object().at("address").as_string() == "ines@example.org");
        CHECK(rejected[0].as_object().at("condition").as_string() == "recipient_unknown");
        const auto& rep = report_of(r);
        CHECK(rep.at("outcome").as_string() == "partially_sent");
        const auto& rcpts = rep.at("recipients").as_array();
        REQUIRE(rcpts.size() == 3);
        CHECK(rcpts[0].as_object().at("accepted").as_bool());
        CHECK_FALSE(rcpts[1].as_object().at("accepted").as_bool());
        CHECK(rcpts[1].as_object().at("condition").as_string() == "recipient_unknown");
        CHECK(rcpts[2].as_object().at("accepted").as_bool());
    }

    TEST_CASE("send: greylisted → retry_scheduled, deferred, exit status 3") {
        setenv("SMTPERR_TEST_PW", "s3cret-greylist", 1);
        const auto r = run_send("greylisting", plain +
                                                   "--password-env SMTPERR_TEST_PW "
                                                   "--from gregor@example.com "
                                                   "--to hanna@example.net");
        CHECK(r.status == 3);
        REQUIRE(event_names(r) ==
                std::vector<std::string>{"retry_scheduled", "system_message", "report"});
        CHECK(r.events[0].at("attempt").as_int64() == 2);
        CHECK(r.events[0].at("condition").as_string() == "greylisted");
        CHECK(r.events[0].at("in_seconds").as_int64() > 0);
        CHECK(report_of(r).at("outcome").as_string() == "deferred");
        CHECK(report_of(r).at("condition").as_string() == "greylisted");
    }

    TEST_CASE("send: 421 at DATA and the connection closed → deferred, with a token") {
        setenv("SMTPERR_TEST_TOKEN", "EwBwA8l6BAAU-oliver-token", 1);
        const auto r = run_send("closed_mid_transaction",
                                plain +
                                    "--oauth-token-env SMTPERR_TEST_TOKEN "
                                    "--from oliver@contoso.com --to paula@fabrikam.com");
        CHECK(r.status == 3);
        const auto& rep = report_of(r);
        CHECK(rep.at("outcome").as_string() == "deferred");
        CHECK(rep.at("condition").as_string() == "service_unavailable");
        CHECK(rep.at("possibly_delivered").as_bool() == false);
    }

    TEST_CASE(
        "send: a message over the announced SIZE fails before it is sent, or after its data") {
        setenv("SMTPERR_TEST_PW", "s3cret-size", 1);
        for (const char* scenario : {"too_large_announced", "too_large_after_data"}) {
            INFO("scenario " << scenario);
            const auto r = run_send(scenario, plain +
                                                  "-v --password-env SMTPERR_TEST_PW "
                                                  "--size-bytes 1200000 "
                                                  "--from mia@example.com "
                                                  "--to nils@example.com");
            CHECK(r.status == 4);
            const auto& rep = report_of(r);
            CHECK(rep.at("condition").as_string() == "message_too_large");
            CHECK(rep.at("action").as_string() == "reduce_message_size");
            // Announced: no MAIL, no data; otherwise the data went out and was refused.
            CHECK(contains(r.err, "C: MAIL FROM") ==
                  (std::string_view(scenario) == "too_large_after_data"));
        }
        // Under the limit: sent, declared as exactly N octets (RFC 1870 §3: not counting
        // the final ".CRLF"), whatever N leaves for the last filler line.
        for (const int n : {1000, 1001, 1002, 1003}) {
            INFO("size " << n);
            const auto small =
                run_send("too_large_announced",
                         plain + "-v --password-env SMTPERR_TEST_PW --size-bytes " +
                             std::to_string(n) + " --from mia@example.com --to nils@example.com");
            CHECK(small.status == 0);
            CHECK(contains(small.err, " SIZE=" + std::to_string(n) + "\n"));
        }
    }

    TEST_CASE("send: the password never shows, not even in the -v transcript") {
        // The right password is sent and accepted; the wrong one is refused with a 535,
        // which is where a careless client would print what it sent.
        for (const bool json : {true, false}) {
            for (const std::string pw : {"Neues-Passwort-2026", "Neues-Passwort-2026-but-wrong"}) {
                INFO("json " << json << ", password " << pw);
                setenv("SMTPERR_TEST_PW", pw.c_str(), 1);
                // --verbose is -v's long form.
                const auto r =
                    run_send("wrong_then_new_password",
                             std::string("--tls none --allow-plaintext-auth ") +
                                 (json ? "-v " : "--verbose ") + (json ? "--json " : "") +
                                 "--password-env SMTPERR_TEST_PW --from eva@example.de "
                                 "--to frank@example.net");
                CHECK(r.status == (pw == "Neues-Passwort-2026" ? 0 : 4));
                CHECK(contains(r.err, "C: AUTH PLAIN <redacted>"));  // The transcript is there.
                CHECK(smtperr::test::leaked_form(r.out, pw).empty());
                CHECK(smtperr::test::leaked_form(r.err, pw).empty());
            }
        }
    }

    TEST_CASE("send: no password over plain TCP without --allow-plaintext-auth") {
        setenv("SMTPERR_TEST_PW", "Neues-Passwort-2026", 1);
        const auto r = run_send("wrong_then_new_password",
                                "--tls none --json -v --password-env SMTPERR_TEST_PW "
                                "--from eva@example.de --to frank@example.net");
        CHECK(r.status == 4);
        CHECK(report_of(r).at("condition").as_string() == "encryption_required");
        CHECK(contains(r.err, "--allow-plaintext-auth"));
        CHECK_FALSE(contains(r.err, "C: AUTH"));
    }

    TEST_CASE("send: human-readable output in German, and a message file") {
        setenv("SMTPERR_TEST_PW", "s3cret-recipients", 1);
        const auto path = temp_file("smtperr_cli_test_message");
        {
            std::ofstream m(path, std::ios::binary);
            m << "Subject: Hallo\n\n.Eine Zeile mit Punkt\n";
        }
        const auto r = run_send("unknown_recipient",
                                "--tls none --allow-plaintext-auth --lang de "
                                "--password-env SMTPERR_TEST_PW --message " +
                                    path.string() +
                                    " --from jan@example.org --to karl@example.org "
                                    "--to ines@example.org");
        std::filesystem::remove(path);
        CHECK(r.status == 2);
        CHECK(contains(r.out, "Abgelehnt: ines@example.org"));
        CHECK(contains(r.out, "Ergebnis: teilweise gesendet"));
        CHECK(contains(r.out, "✔ karl@example.org"));
        CHECK_FALSE(contains(r.out, "{"));
    }

    TEST_CASE("send: bad usage is exit status 1, and nothing is sent") {
        setenv("SMTPERR_TEST_PW", "x", 1);
        setenv("SMTPERR_TEST_TOKEN", "y", 1);
        unsetenv("SMTPERR_TEST_UNSET");
        // A listener on loopback that never accepts: a connection the tool made would wait
        // in its queue, counted at the end.
        const struct owned_fd {
            int fd;
            ~owned_fd() {
                if (fd >= 0) {
                    close(fd);  // Also when a REQUIRE below ends the test early.
                }
            }
        } socket_fd{socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)};
        const int listener = socket_fd.fd;
        REQUIRE(listener >= 0);
        sockaddr_in at{};
        at.sin_family = AF_INET;
        at.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        REQUIRE(bind(listener, reinterpret_cast<sockaddr*>(&at), sizeof at) == 0);
        REQUIRE(listen(listener, 64) == 0);
        socklen_t len = sizeof at;
        REQUIRE(getsockname(listener, reinterpret_cast<sockaddr*>(&at), &len) == 0);
        const std::string server = "--server 127.0.0.1:" + std::to_string(ntohs(at.sin_port));
        const std::string ok = server + " --tls none ";
        const std::string addr = "--from a@example.org --to b@example.org";
        const std::string bad[] = {
            "--tls none --from a@example.org --to b@example.org",  // no --server
            server + " --from a@example.org --to b@example.org",   // no --tls
            server + " --tls sometimes --from a@example.org --to b@example.org",
            "--server 127.0.0.1 --tls none --from a@example.org --to b@example.org",
            "--server 127.0.0.1:0 --tls none --from a@example.org --to b@example.org",
            "--server 127.0.0.1:70000 --tls none --from a@example.org --to b@example.org",
            "--server 127.0.0.1:smtp --tls none --from a@example.org --to b@example.org",
            "--server ::1:25 --tls none --from a@example.org --to b@example.org",
        };
        for (const auto& args : bad) {
            INFO("args " << args);
            CHECK(run_send("", args).status == 1);
        }
        const std::string bad_with_ok[] = {
            "--to b@example.org",                         // no --from
            "--from a@example.org",                       // no --to
            addr + " --frobnicate",                       // unknown option
            addr + " stray",                              // a positional argument
            addr + " --password",                         // not an option: no secrets here
            addr + " --password-env SMTPERR_TEST_UNSET",  // unset variable
            addr + " --password-env SMTPERR_TEST_PW --oauth-token-env SMTPERR_TEST_TOKEN",
            addr + " --user someone",                           // a user without a secret
            addr + " --message /nonexistent/file",              // unreadable message
            addr + " --message /etc/hostname --size-bytes 10",  // both
            addr + " --size-bytes lots",
            addr + " --size-bytes 99999999999",
            addr + " --size-bytes 100",  // less than the test message's header
            addr + " --to",              // a value is missing
            addr + " --message ''",      // an empty value is not the option left out
            addr + " --password-env ''",
            addr + " --password-env '' --oauth-token-env SMTPERR_TEST_TOKEN",
            addr + " --lang ''",
            addr + " --user -h",  // -h as a value is no request for help
            "--from a@example.org --to \"$(printf 'b@example.org\\r\\nRCPT TO:<c@x.org>')\"",
        };
        for (const auto& args : bad_with_ok) {
            INFO("args " << args);
            const auto r = run_send("", ok + args);
            CHECK(r.status == 1);
            CHECK(contains(r.err, "smtperr: "));
        }
        // A directory as the message: a usage error in the tool's words.
        const auto dir = run_send(
            "", ok + addr + " --message " + std::filesystem::temp_directory_path().string());
        CHECK(dir.status == 1);
        CHECK(contains(dir.err, "it is a directory"));
        CHECK(run_send("", "--help").status == 0);
        CHECK(contains(run_send("", ok + addr + " -h").out, "usage:"));
        // Not one connection came.
        int accepted = 0;
        while (accept(listener, nullptr, nullptr) >= 0) {
            ++accepted;
        }
        CHECK(errno == EAGAIN);
        CHECK(accepted == 0);
    }

    TEST_CASE("send: a password typed as --password-env's variable name is not echoed") {
        unsetenv("Hunter2-Secret");
        const auto r = run_send("",
                                "--server 127.0.0.1:9 --tls none --from a@example.org "
                                "--to b@example.org --password-env Hunter2-Secret");
        CHECK(r.status == 1);
        CHECK(contains(r.err, "--password-env names is not set or empty"));
        CHECK_FALSE(contains(r.err, "Hunter2"));
    }
}

#endif  // SMTPERR_SCENARIO_SERVER
