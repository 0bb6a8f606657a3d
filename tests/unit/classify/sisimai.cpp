// Agreement with Sisimai on 661 real diagnostic texts (tests/data/sisimai, BSD-2-Clause).
//
// The mapping is data: tests/data/sisimai/reason_map.tsv, shared with bench/sisimai/.
//
// Each row becomes a reply "<code> <text>" (the text as it is when it already starts with a
// reply code; a row without a code takes 450 or 550 by the class of the text's own enhanced
// status code, 550 when it has none: never Sisimai's status column, see rows.hpp), answering
// the command the bounce names. Sisimai's reason is mapped to the smtperr conditions that
// express it (a set: several conditions can be right for one reason), and the agreement
// must stay above a floor. docs/classification.md lists and explains every remaining
// disagreement; set SMTPERR_SISIMAI_REPORT=<file> to write them (and the per-reason counts)
// to a file.
#include <smtperr/classify/classify.hpp>
#include <smtperr/reply/reply.hpp>

#include <doctest/doctest.h>

#include <cstddef>
#include <cstdlib>
#include <fstream>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "data/sisimai/rows.hpp"
#include "unit/classify/classify_util.hpp"

namespace {

using namespace classify_test;
using c = smtperr::condition;
namespace data = smtperr::sisimai_data;

struct row_result {
    std::string id;
    std::string reason;
    std::string wire;
    phase ph = phase::rcpt;
    std::string host;
    std::string accepted;
    verdict got;
};

}  // namespace

TEST_SUITE("classify.sisimai") {
    TEST_CASE("Sisimai reasons: agreement floor") {
        data::reason_map reasons;
        std::string error;
        INFO(error);
        REQUIRE(data::read_reason_map(source_path("tests/data/sisimai/reason_map.tsv"), reasons,
                                      error));
        const auto rows = data::read_rows(source_path("tests/data/sisimai/diagnostics.tsv"));
        REQUIRE(!rows.empty());

        std::size_t total = 0;
        std::size_t agree = 0;
        std::size_t excluded = 0;
        std::map<std::string, std::pair<std::size_t, std::size_t>> per_reason;  // agree, all
        std::vector<row_result> misses;

        for (const auto& row : rows) {
            INFO("row " << row.id << " reason " << row.reason);
            const auto map = reasons.find(row.reason);
            REQUIRE(map != reasons.end());
            if (map->second.empty()) {
                ++excluded;
                continue;
            }
            const verdict v = classify_reply(row.reply, row.ph, row.host);
            ++total;
            bool ok = false;
            std::string accepted;
            for (const c want : map->second) {
                ok = ok || v.cond == want;
                if (!accepted.empty()) {
                    accepted += '|';
                }
                accepted += std::string(smtperr::to_string(want));
            }
            auto& counts = per_reason[row.reason];
            ++counts.second;
            if (ok) {
                ++agree;
                ++counts.first;
            } else {
                misses.push_back({row.id, row.reason, row.reply, row.ph, row.host, accepted, v});
            }
        }

        const double percent =
            total ? 100.0 * static_cast<double>(agree) / static_cast<double>(total) : 0.0;
        MESSAGE("Sisimai agreement: " << agree << "/" << total << " (" << percent << "%), excluded "
                                      << excluded);

        if (const char* report = std::getenv("SMTPERR_SISIMAI_REPORT")) {
            std::ofstream out(report);
            out << "agreement\t" << agree << "/" << total << "\t" << percent << "%\texcluded\t"
                << excluded << "\n";
            for (const auto& [reason, counts] : per_reason) {
                out << "reason\t" << reason << "\t" << counts.first << "/" << counts.second << "\n";
            }
            for (const auto& m : misses) {
                out << "miss\t" << m.id << "\t" << m.reason << "\t" << smtperr::to_string(m.ph)
                    << "\t" << m.accepted << "\t" << smtperr::to_string(m.got.cond) << "\t"
                    << m.got.rule << "\t" << m.host << "\t" << m.wire.substr(0, 200) << "\n";
            }
        }

        CHECK(total + excluded == 661);
        // Leaving texts out of the count cannot raise the figure: the 86 excluded ones are
        // those whose reasons have no submission-time counterpart (reason_map.tsv).
        CHECK(excluded == 86);
        // The floor is the achieved figure, 503/575 = 87.5%: a change that loses more rows
        // than it wins fails here (the README and docs/classification.md list every
        // disagreement). Raise it when rules improve. (504 while code-less rows took the
        // class of Sisimai's status: s0282's 4.3.0 made its "temporary failure" a 450.)
        CHECK(agree >= 503);
    }
}
