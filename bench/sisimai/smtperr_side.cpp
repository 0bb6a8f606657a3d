// smtperr — SMTP error mapping for mail clients.
// Distributed under the Boost Software License, Version 1.0.
//
// smtperr's side of the side-by-side benchmark with Sisimai (bench/sisimai/run.sh): parse +
// classify every text of tests/data/sisimai/diagnostics.tsv, repeated for at least SECONDS
// of CPU time; prints the throughput and the agreement with the expected reasons through
// tests/data/sisimai/reason_map.tsv. Each row becomes a reply the way
// tests/unit/classify/sisimai.cpp builds it, so the agreement is the unit test's figure.
//
//   smtperr_sisimai_side DIAGNOSTICS_TSV REASON_MAP_TSV [SECONDS]
//
// Output: one line of key=value pairs (run.sh reads it).

#include <smtperr/classify/classify.hpp>
#include <smtperr/error/condition.hpp>
#include <smtperr/reply/parser.hpp>

#include <cstddef>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace {

using smtperr::condition;
using smtperr::phase;

std::vector<std::string> split(const std::string& line, char sep) {
    std::vector<std::string> out;
    std::size_t start = 0;
    for (;;) {
        const auto at = line.find(sep, start);
        out.push_back(line.substr(start, at == std::string::npos ? at : at - start));
        if (at == std::string::npos) {
            return out;
        }
        start = at + 1;
    }
}

bool starts_with_code(std::string_view text) {
    if (text.size() < 3) {
        return false;
    }
    for (std::size_t i = 0; i < 3; ++i) {
        if (text[i] < '0' || text[i] > '9') {
            return false;
        }
    }
    return text[0] >= '2' && text[0] <= '5' &&
           (text.size() == 3 || text[3] == ' ' || text[3] == '-');
}

phase phase_of(std::string_view command) {
    if (command == "MAIL")
        return phase::mail;
    if (command == "DATA")
        return phase::data_end;
    if (command == "HELO" || command == "EHLO")
        return phase::ehlo;
    if (command == "QUIT")
        return phase::quit;
    return phase::rcpt;  // '-': most bounces report a recipient
}

struct row {
    std::string wire;  ///< The reply with CRLF.
    phase ph;
    std::string host;
    const std::vector<condition>* accepted;  ///< Empty: excluded from the agreement.
};

double cpu_seconds() {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: %s DIAGNOSTICS_TSV REASON_MAP_TSV [SECONDS]\n", argv[0]);
        return 2;
    }
    const double seconds = argc > 3 ? std::stod(argv[3]) : 3.0;

    std::map<std::string, std::vector<condition>> reasons;
    {
        std::ifstream in(argv[2]);
        std::string line;
        bool header = true;
        while (std::getline(in, line)) {
            if (line.empty() || line[0] == '#') {
                continue;
            }
            if (header) {
                header = false;
                continue;
            }
            const auto f = split(line, '\t');
            auto& conds = reasons[f[0]];
            for (const auto& name : f.size() > 1 ? split(f[1], ',') : std::vector<std::string>{}) {
                if (name.empty()) {
                    continue;
                }
                const auto c = smtperr::condition_from_string(name);
                if (!c) {
                    std::fprintf(stderr, "%s: unknown condition %s\n", argv[2], name.c_str());
                    return 1;
                }
                conds.push_back(*c);
            }
        }
    }

    std::vector<row> rows;
    {
        std::ifstream in(argv[1]);
        std::string line;
        std::getline(in, line);  // header
        while (std::getline(in, line)) {
            // id smtp_command reply_code status status_is_sisimai_internal reason rhost text
            const auto f = split(line, '\t');
            if (f.size() < 8) {
                continue;
            }
            const auto it = reasons.find(f[5]);
            if (it == reasons.end()) {
                std::fprintf(stderr, "reason %s missing in %s\n", f[5].c_str(), argv[2]);
                return 1;
            }
            std::string code = f[2];
            const bool no_code = code == "-" || code.empty();
            if (no_code) {
                code = !f[3].empty() && f[3][0] == '4' ? "450" : "550";
            }
            const std::string& text = f[7];
            const bool own = starts_with_code(text) && (no_code || text.compare(0, 3, code) == 0);
            rows.push_back({(own ? text : code + " " + text) + "\r\n", phase_of(f[1]),
                            f[6] == "-" ? std::string() : f[6], &it->second});
        }
    }
    if (rows.empty()) {
        std::fprintf(stderr, "no rows in %s\n", argv[1]);
        return 1;
    }

    // The parser's lenient line limit takes every text; a reply per row, in one call.
    smtperr::reply_parser parser;
    std::size_t total = 0;
    std::size_t agree = 0;
    std::size_t excluded = 0;
    std::size_t unparsed = 0;
    for (const auto& r : rows) {
        std::error_code ec;
        parser.feed(r.wire, ec);
        if (ec || !parser.has_reply()) {
            ++unparsed;
            parser.reset();
            continue;
        }
        const auto d = smtperr::classify(parser.get(), {r.ph, r.host, {}});
        if (r.accepted->empty()) {
            ++excluded;
            continue;
        }
        ++total;
        for (const condition c : *r.accepted) {
            if (d.condition == c) {
                ++agree;
                break;
            }
        }
    }

    std::size_t texts = 0;
    std::size_t sink = 0;
    const double start = cpu_seconds();
    double elapsed = 0;
    while (elapsed < seconds) {
        for (const auto& r : rows) {
            std::error_code ec;
            parser.feed(r.wire, ec);
            if (parser.has_reply()) {
                sink += static_cast<std::size_t>(
                    smtperr::classify(parser.get(), {r.ph, r.host, {}}).condition);
            }
        }
        texts += rows.size();
        elapsed = cpu_seconds() - start;
    }

    std::printf(
        "smtperr texts=%zu texts_per_s=%.0f agree_mapped=%zu total=%zu excluded=%zu "
        "unparsed=%zu checksum=%zu\n",
        rows.size(), static_cast<double>(texts) / elapsed, agree, total, excluded, unparsed,
        sink % 1000);
    return 0;
}
