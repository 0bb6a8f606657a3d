// smtperr — SMTP error mapping for mail clients.
// Distributed under the Boost Software License, Version 1.0.
//
// smtperr's side of the side-by-side benchmark with Sisimai (bench/sisimai/run.sh): parse +
// classify every text of tests/data/sisimai/diagnostics.tsv, repeated for at least SECONDS
// of CPU time; prints the throughput and the agreement with the expected reasons through
// tests/data/sisimai/reason_map.tsv, twice:
//
// - with context: each row becomes a reply the way tests/unit/classify/sisimai.cpp builds
//   it (the bounce's reply code, the command it answered, the remote host), as a client
//   sees a reply; the agreement is the unit test's figure;
// - text only: the same input Sisimai->match gets, the text alone (phase RCPT, no host,
//   the text's own reply code, else 450 or 550 by its enhanced code: rows.hpp's
//   text_only_reply).
//
// A text the parser does not take counts as a disagreement (it stays in the total), so
// both sides divide by the same number of texts; run.sh checks that they do.
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
#include <string>
#include <vector>

#include "data/sisimai/rows.hpp"

namespace {

using smtperr::condition;
namespace data = smtperr::sisimai_data;

struct row {
    std::string wire;  ///< The reply with CRLF.
    smtperr::phase ph;
    std::string host;
    const std::vector<condition>* accepted;  ///< Empty: excluded from the agreement.
};

double cpu_seconds() {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

struct figures {
    std::size_t total = 0;  ///< Texts in the agreement (excluded reasons left out).
    std::size_t agree = 0;
    std::size_t excluded = 0;
    std::size_t unparsed = 0;  ///< In `total`, never in `agree`.
    double texts_per_s = 0;
    std::size_t checksum = 0;
};

// The agreement once, then whole passes over the rows until `seconds` of CPU time are up.
figures measure(const std::vector<row>& rows, double seconds) {
    figures f;
    // The parser's lenient line limit takes every text; a reply per row, in one call.
    smtperr::reply_parser parser;
    for (const auto& r : rows) {
        std::error_code ec;
        parser.feed(r.wire, ec);
        const bool parsed = !ec && parser.has_reply();
        if (r.accepted->empty()) {
            ++f.excluded;
        } else {
            ++f.total;
        }
        if (!parsed) {
            f.unparsed += r.accepted->empty() ? 0 : 1;
            parser.reset();
            continue;
        }
        const auto d = smtperr::classify(parser.get(), {r.ph, r.host, {}});
        for (const condition c : *r.accepted) {
            if (d.condition == c) {
                ++f.agree;
                break;
            }
        }
    }

    std::size_t texts = 0;
    const double start = cpu_seconds();
    double elapsed = 0;
    while (elapsed < seconds) {
        for (const auto& r : rows) {
            std::error_code ec;
            parser.feed(r.wire, ec);
            if (parser.has_reply()) {
                f.checksum += static_cast<std::size_t>(
                    smtperr::classify(parser.get(), {r.ph, r.host, {}}).condition);
            } else {
                parser.reset();
            }
        }
        texts += rows.size();
        elapsed = cpu_seconds() - start;
    }
    f.texts_per_s = static_cast<double>(texts) / elapsed;
    return f;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: %s DIAGNOSTICS_TSV REASON_MAP_TSV [SECONDS]\n", argv[0]);
        return 2;
    }
    const double seconds = argc > 3 ? std::stod(argv[3]) : 3.0;

    data::reason_map reasons;
    std::string error;
    if (!data::read_reason_map(argv[2], reasons, error)) {
        std::fprintf(stderr, "%s\n", error.c_str());
        return 1;
    }
    std::vector<row> context;
    std::vector<row> text_only;
    for (auto& r : data::read_rows(argv[1])) {
        const auto it = reasons.find(r.reason);
        if (it == reasons.end()) {
            std::fprintf(stderr, "reason %s missing in %s\n", r.reason.c_str(), argv[2]);
            return 1;
        }
        context.push_back({r.reply + "\r\n", r.ph, r.host, &it->second});
        text_only.push_back(
            {data::text_only_reply(r.text) + "\r\n", smtperr::phase::rcpt, {}, &it->second});
    }
    if (context.empty()) {
        std::fprintf(stderr, "no rows in %s\n", argv[1]);
        return 1;
    }

    const figures c = measure(context, seconds);
    const figures t = measure(text_only, seconds);
    std::printf(
        "smtperr texts=%zu texts_per_s=%.0f agree_mapped=%zu total=%zu excluded=%zu "
        "unparsed=%zu text_only_texts_per_s=%.0f text_only_agree_mapped=%zu "
        "text_only_unparsed=%zu checksum=%zu\n",
        context.size(), c.texts_per_s, c.agree, c.total, c.excluded, c.unparsed, t.texts_per_s,
        t.agree, t.unparsed, (c.checksum + t.checksum) % 1000);
    return 0;
}
