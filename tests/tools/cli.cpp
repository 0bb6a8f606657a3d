// The smtperr command-line tool, run as a user would: explain, classify and demo, with
// their exit statuses and DESIGN.md's JSON keys.

#include <boost/json/parse.hpp>

#include <doctest/doctest.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <sys/wait.h>
#include <vector>

namespace {

struct run_result {
    int status = -1;
    std::string out;
};

// Runs the tool with `args` (shell-quoted by the caller) and `input` on stdin.
run_result run(const std::string& args, const std::string& input = {}) {
    const auto in_path = std::filesystem::temp_directory_path() / "smtperr_cli_test_input";
    {
        std::ofstream in(in_path, std::ios::binary);
        in << input;
    }
    const std::string cmd =
        std::string(SMTPERR_TOOL) + " " + args + " < " + in_path.string() + " 2>/dev/null";
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
    std::filesystem::remove(in_path);
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

    TEST_CASE("classify: exit status 0 when every line was good; a huge line is one error") {
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
