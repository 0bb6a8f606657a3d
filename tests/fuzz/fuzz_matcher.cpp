// smtperr — SMTP error mapping for mail clients.
// Distributed under the Boost Software License, Version 1.0.

// libFuzzer target for the classifier's fragment matcher (src/classify/matcher.hpp), against
// the plain reference of tests/support/matcher_reference.hpp: whatever the patterns and the
// text, scan() must find exactly the patterns the reference finds, with every instruction
// set the processor has. Also replayed by smtperr_fuzz_regressions_matcher.
//
// Input layout: byte 0, bits 0-1: the instruction set (portable, AVX2, AVX-512, the best);
// bits 2-4: the number of patterns less one; bit 5: each pattern also with 16 two-octet
// endings (groups sharing eight octets: with many token starts, more hits than a chunk
// collects before handing them over); bit 6: the first also with 48 two-octet beginnings
// (many heads: fuller buckets).
// Then each pattern as a length byte (3 + its value mod 94 octets) and its octets; the rest
// is the text.

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "classify/matcher.hpp"
#include "fuzz_check.hpp"
#include "support/matcher_reference.hpp"

namespace {

using smtperr::detail::multi_matcher;

// Whether build() may refuse these (deduplicated, folded) patterns: its documented limits.
bool may_refuse(const std::vector<std::string>& patterns) {
    std::map<std::string, std::size_t> short_prefixes;
    std::map<std::string, std::size_t> heads;
    for (const auto& p : patterns) {
        if (p.size() < 3 || p.size() > multi_matcher::max_pattern ||
            p.find('\0') != std::string::npos) {
            return true;
        }
        if (p.size() < 8 ? ++short_prefixes[p.substr(0, 3)] > 4
                         : ++heads[p.substr(0, 8)] > multi_matcher::max_group) {
            return true;
        }
    }
    return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using smtperr_test::matcher_folded;
    if (size == 0) {
        return 0;
    }
    const multi_matcher::simd levels[] = {multi_matcher::simd::portable, multi_matcher::simd::avx2,
                                          multi_matcher::simd::avx512, multi_matcher::simd::avx512};
    const multi_matcher::simd level = levels[data[0] & 3U];
    const std::size_t wanted = 1 + ((data[0] >> 2) & 7U);
    std::size_t at = 1;
    multi_matcher m;
    std::vector<std::string> patterns;  // By id: add() gives a duplicate its first id.
    bool oversized = false;
    for (std::size_t k = 0; k < wanted && at < size; ++k) {
        const std::size_t len = 3 + data[at++] % 94;
        if (size - at < len) {
            break;
        }
        const std::string p(reinterpret_cast<const char*>(data) + at, len);
        at += len;
        std::vector<std::string> variants = {p};
        for (int v = 0; v < 16 && (data[0] & 0x20U) != 0; ++v) {
            variants.push_back(p + static_cast<char>('a' + v % 26) +
                               static_cast<char>('0' + v / 26));
        }
        for (int v = 0; v < 48 && k == 0 && (data[0] & 0x40U) != 0; ++v) {
            variants.push_back(static_cast<char>('a' + v % 26) +
                               std::string(1, static_cast<char>('a' + v / 26)) + p);
        }
        for (const auto& q : variants) {
            if (q.size() > multi_matcher::max_pattern) {
                oversized = true;  // add() takes it without an id; build() must fail.
                m.add(q);
                continue;
            }
            const auto id = m.add(q);
            if (id == patterns.size()) {
                patterns.push_back(q);
            }
            SMTPERR_FUZZ_CHECK(
                id < patterns.size() && matcher_folded(patterns[id]) == matcher_folded(q),
                "wrong id");
        }
    }
    if (patterns.empty()) {
        return 0;
    }
    if (oversized) {
        SMTPERR_FUZZ_CHECK(!m.build(level), "build() took a pattern over max_pattern");
        return 0;
    }
    if (!m.build(level)) {
        std::vector<std::string> folded;
        for (const auto& p : patterns) {
            folded.push_back(matcher_folded(p));
        }
        SMTPERR_FUZZ_CHECK(may_refuse(folded), "build() refused patterns within its limits");
        return 0;
    }
    const std::string_view text(reinterpret_cast<const char*>(data) + at, size - at);
    std::array<std::uint64_t, 16> bits{};
    m.scan(text, bits.data());
    const auto want = smtperr_test::matcher_reference(patterns, text);
    for (std::size_t id = 0; id < bits.size() * 64; ++id) {
        const bool got = (bits[id / 64] >> (id % 64)) & 1U;
        SMTPERR_FUZZ_CHECK(got == (id < want.size() && want[id]),
                           got ? "found a pattern that is not there" : "missed a pattern");
    }
    return 0;
}
