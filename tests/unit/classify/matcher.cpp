// The fragment matcher against a plain reference: every pattern compared at every token
// start of random texts, at block and chunk boundaries, with the most hits a chunk can give,
// with tables that must grow, on every instruction set the processor offers.
#include "classify/matcher.hpp"

#include <doctest/doctest.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "support/matcher_reference.hpp"

namespace {

using smtperr::detail::multi_matcher;

using smtperr_test::matcher_folded;
using smtperr_test::matcher_reference;

using simd = multi_matcher::simd;

// The instruction sets this processor can run the matcher with.
std::vector<simd> levels() {
    std::vector<simd> out;
    for (const simd level : {simd::portable, simd::avx2, simd::avx512}) {
        if (multi_matcher::supports(level)) {
            out.push_back(level);
        } else {
            MESSAGE("this processor cannot run the matcher's ", static_cast<int>(level),
                    " variant");
        }
    }
    return out;
}

// A matcher of `patterns` (ids in their order), built for `level`.
multi_matcher built(const std::vector<std::string>& patterns, simd level = simd::avx512) {
    multi_matcher m;
    for (const auto& p : patterns) {
        m.add(p);
    }
    REQUIRE(m.build(level));
    return m;
}

std::vector<bool> scanned(const multi_matcher& m, std::size_t patterns, std::string_view text) {
    // In a buffer of exactly the text's size, so that AddressSanitizer sees any read past it.
    const std::unique_ptr<char[]> exact(new char[text.size()]);
    std::memcpy(exact.get(), text.data(), text.size());
    std::array<std::uint64_t, 16> bits{};
    m.scan(std::string_view(exact.get(), text.size()), bits.data());
    std::vector<bool> found(patterns);
    for (std::size_t id = 0; id < patterns; ++id) {
        found[id] = (bits[id / 64] >> (id % 64)) & 1u;
    }
    for (std::size_t id = patterns; id < bits.size() * 64; ++id) {
        REQUIRE((bits[id / 64] >> (id % 64) & 1u) == 0);  // No bit past the last pattern.
    }
    return found;
}

// Patterns like the rule tables' (most eight octets or longer, many sharing a first word,
// some led by punctuation), in mixed case.
std::vector<std::string> make_patterns(std::mt19937& rng) {
    const std::vector<std::string> words = {"mail",    "mailbox",  "recipient", "sender", "user",
                                            "unknown", "rejected", "address",   "quota",  "spam",
                                            "tls",     "relay",    "denied",    "over",   "5.7.1"};
    std::vector<std::string> out = {"rbl",
                                    "spf",
                                    "(#AUTH005)",
                                    "[TSS04]",
                                    "said:",
                                    "Greylist",
                                    "mailbox full",
                                    "x-spam",
                                    "recipient address rejected",
                                    "recipient address unknown",
                                    "recipient unknown",
                                    "mailbox unavailable"};
    while (out.size() < 300) {
        std::string p = words[rng() % words.size()];
        const std::size_t more = rng() % 4;
        for (std::size_t k = 0; k < more; ++k) {
            p += " ";
            p += words[rng() % words.size()];
        }
        if (rng() % 8 == 0) {
            p = "(" + p;
        }
        if (rng() % 4 == 0) {
            p[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(p[0])));
        }
        bool seen = false;
        for (const auto& q : out) {
            seen = seen || matcher_folded(q) == matcher_folded(p);  // add() would give it q's id.
        }
        if (!seen && p.size() <= multi_matcher::max_pattern) {
            out.push_back(p);
        }
    }
    return out;
}

std::string make_text(std::mt19937& rng, const std::vector<std::string>& patterns,
                      std::size_t pieces) {
    const std::string_view glue[] = {
        " ",    "  ", "\r\n", "\t", "-", "x", "7", ",", "é", "\xff", std::string_view("\0", 1),
        "\x0b", ": "};
    std::string t;
    for (std::size_t k = 0; k < pieces; ++k) {
        std::string piece = patterns[rng() % patterns.size()];
        for (char& ch : piece) {
            if (rng() % 3 == 0) {
                ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
            }
            if (ch == ' ' && rng() % 4 == 0) {
                ch = rng() % 2 ? '\n' : '\t';  // Line breaks and tabs match a space.
            }
        }
        if (rng() % 5 == 0) {
            piece.resize(rng() % (piece.size() + 1));  // Cut short.
        }
        t += piece;
        t += glue[rng() % std::size(glue)];
    }
    return t;
}

}  // namespace

TEST_SUITE("classify.matcher") {
    TEST_CASE("finds exactly what the reference finds") {
        for (const simd level : levels()) {
            CAPTURE(static_cast<int>(level));
            std::mt19937 rng(20261130);
            const auto patterns = make_patterns(rng);
            multi_matcher m;
            for (std::size_t id = 0; id < patterns.size(); ++id) {
                REQUIRE(m.add(patterns[id]) == id);
            }
            REQUIRE(m.build(level));
            std::size_t hits = 0;
            for (int round = 0; round < 400; ++round) {
                // Up to ~3 KiB: several chunks, token starts on both sides of their boundaries.
                const std::string text =
                    make_text(rng, patterns, 1 + rng() % (round < 300 ? 12 : 120));
                const auto want = matcher_reference(patterns, text);
                const auto got = scanned(m, patterns.size(), text);
                for (std::size_t id = 0; id < patterns.size(); ++id) {
                    INFO("pattern \"", patterns[id], "\" in \"", text, "\"");
                    CHECK(got[id] == want[id]);
                    hits += want[id];
                }
            }
            CHECK(hits > 1000);  // The texts do contain patterns.
        }
    }

    TEST_CASE("a token continued across a chunk boundary does not start a pattern there") {
        const multi_matcher m = built({"spam"});
        for (std::size_t at = 200; at < 320; ++at) {
            // "xspam" with its 's' at every offset around the 256-octet chunk boundary.
            std::string text(at, ' ');
            text += "spam";
            text[at - 1] = 'x';
            CHECK(scanned(m, 1, text)[0] == false);
            text[at - 1] = '.';
            CHECK(scanned(m, 1, text)[0] == true);
        }
    }

    TEST_CASE("many hits in one chunk are all kept") {
        // Every token start matches a short pattern and up to twenty long ones sharing their
        // first eight octets: more hits than the matcher collects before it flushes.
        std::vector<std::string> patterns = {"abc"};
        std::string p = "abc abc";
        for (int k = 0; k < 20; ++k) {
            p += " abc";
            patterns.push_back(p);
        }
        const multi_matcher m = built(patterns);
        std::string text;
        for (int k = 0; k < 20; ++k) {
            text += "abc ";
        }
        const auto want = matcher_reference(patterns, text);
        CHECK(scanned(m, patterns.size(), text) == want);
        CHECK(want[1]);
        CHECK(want[18]);
        CHECK_FALSE(want.back());  // 22 "abc"s do not fit in 20.
        text.insert(0, 250, '-');  // The hits now straddle a chunk boundary.
        CHECK(scanned(m, patterns.size(), text) == want);
        // 64 token starts in a chunk with ~20 hits each: the collected hits are flushed.
        std::string many;
        for (int k = 0; k < 100; ++k) {
            many += "ABC ";
        }
        const auto all = matcher_reference(patterns, many);
        CHECK(all.back());
        CHECK(scanned(m, patterns.size(), many) == all);
    }

    TEST_CASE("patterns at block and chunk boundaries, on every instruction set") {
        // Led by a letter, by punctuation, by an octet from 0x80 on; short and long.
        const std::vector<std::string> patterns = {"spam", "(#AUTH005)", "\xC3\xA9t\xC3\xA9",
                                                   "recipient address rejected", "[cs01]"};
        for (const simd level : levels()) {
            CAPTURE(static_cast<int>(level));
            const multi_matcher m = built(patterns, level);
            for (const std::size_t around : {std::size_t{64}, std::size_t{256}, std::size_t{512}}) {
                for (std::size_t at = around - 8; at < around + 8; ++at) {
                    for (const char glue : {' ', 'x', '\xff', '('}) {
                        for (const auto& p : patterns) {
                            std::string text(at, '.');
                            text[at - 1] = glue;
                            text += matcher_folded(p) == p ? p : matcher_folded(p);
                            CAPTURE(text);
                            CHECK(scanned(m, patterns.size(), text) ==
                                  matcher_reference(patterns, text));
                            text += " and more";
                            CHECK(scanned(m, patterns.size(), text) ==
                                  matcher_reference(patterns, text));
                        }
                    }
                }
            }
        }
    }

    TEST_CASE("the most hits a chunk can give") {
        // Every octet starts a token ('(' leads patterns) and matches four short patterns
        // and a whole group of long ones: the hits are handed over many times per chunk.
        std::vector<std::string> patterns;
        for (std::size_t n = 3; n < 7; ++n) {
            patterns.emplace_back(n, '(');
        }
        for (std::size_t n = 8; n < 8 + multi_matcher::max_group; ++n) {
            patterns.emplace_back(n, '(');
        }
        const std::string text(700, '(');
        const auto want = matcher_reference(patterns, text);
        CHECK(want.back());
        for (const simd level : levels()) {
            CAPTURE(static_cast<int>(level));
            CHECK(scanned(built(patterns, level), patterns.size(), text) == want);
        }
    }

    TEST_CASE("the tables grow with the patterns") {
        // More eight-octet heads and short prefixes than the first table sizes hold.
        std::vector<std::string> patterns;
        for (int k = 0; k < 600; ++k) {
            patterns.push_back("w" + std::to_string(k) + " long pattern");
        }
        for (char a = 'a'; a <= 'z'; ++a) {
            for (char b = 'a'; b <= 'e'; ++b) {
                patterns.push_back(std::string("q") + a + b + "x");
            }
        }
        const multi_matcher m = built(patterns);
        const std::string text = "W599 long pattern, qzex, w17 long pattern; w6 long patter qaax";
        const auto want = matcher_reference(patterns, text);
        CHECK(scanned(m, patterns.size(), text) == want);
        CHECK(want[599]);
        CHECK(want[17]);
        CHECK_FALSE(want[6]);
    }

    TEST_CASE("patterns out of bounds or too many alike fail to build") {
        multi_matcher too_short;
        too_short.add("spam");  // Entered in the filters before "ab" fails the build.
        too_short.add("ab");
        CHECK_FALSE(too_short.build());
        CHECK_FALSE(scanned(too_short, 2, "spam")[0]);  // Nothing found, nothing read.
        multi_matcher unbuilt;
        unbuilt.add("spam");
        CHECK_FALSE(scanned(unbuilt, 1, "spam")[0]);
        multi_matcher too_long;
        too_long.add(std::string(multi_matcher::max_pattern + 1, 'a'));
        CHECK_FALSE(too_long.build());
        multi_matcher far_too_long;  // Its length does not fit the 16 bits lengths are kept in.
        far_too_long.add(std::string(65539, 'a'));
        CHECK_FALSE(far_too_long.build());
        multi_matcher nul;
        nul.add(std::string("sp\0am", 5));
        CHECK_FALSE(nul.build());
        multi_matcher longest;
        longest.add(std::string(multi_matcher::max_pattern, 'a'));
        CHECK(longest.build());
        CHECK(scanned(longest, 1, std::string(multi_matcher::max_pattern, 'A'))[0]);
        CHECK_FALSE(scanned(longest, 1, std::string(multi_matcher::max_pattern - 1, 'a'))[0]);
        // More long patterns with the same first eight octets than one lookup returns.
        multi_matcher alike;
        for (int k = 0; k <= 64; ++k) {
            alike.add("mailbox " + std::to_string(k));
        }
        CHECK_FALSE(alike.build());
        // More short patterns with the same first three octets than a bucket holds.
        multi_matcher short_alike;
        for (const char* p : {"spa", "spam", "spamx", "spamxy", "spammy"}) {
            short_alike.add(p);
        }
        CHECK_FALSE(short_alike.build());
    }

    TEST_CASE("duplicates share an id, compared after folding") {
        multi_matcher m;
        CHECK(m.add("Mailbox Full") == 0);
        CHECK(m.add("spam") == 1);
        CHECK(m.add("mailbox full") == 0);
        CHECK(m.pattern_count() == 2);
    }
}
