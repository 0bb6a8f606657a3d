// smtperr — SMTP error mapping for mail clients.
// Distributed under the Boost Software License, Version 1.0.

#ifndef SMTPERR_SRC_CLASSIFY_MATCHER_HPP
#define SMTPERR_SRC_CLASSIFY_MATCHER_HPP

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace smtperr::detail {

/// What multi_matcher's fold functions need besides the text: the octets punctuation-led patterns
/// start with, and the patterns' first two octets (for the AVX-512 path) as a 32 × 32
/// bit table over octet classes (letters, digits, the rest; see matcher.cpp).
struct matcher_fold_tables {
    std::string puncts;
    alignas(64) unsigned char class_high[128] = {};  // class << 2
    alignas(64) unsigned char class_low[128] = {};   // class >> 3
    alignas(64) unsigned char class_bit[128] = {};   // 1 << (class & 7)
    alignas(64) unsigned char pairs[128] = {};       // bit (first << 5 | second)
};

/** A precompiled multi-pattern matcher for short text fragments.

    Fragments match at token starts: a fragment that begins with a letter or digit matches
    where a word begins (after a non-alphanumeric octet or at the start of the text), and
    one that begins with punctuation ("(#AUTH005)", "[TSS04]") matches wherever that
    punctuation occurs. So "greylist" finds "Greylisted" and "spam" finds "X-Spam", but
    "rbl" does not fire inside "Verblüfft".

    Matching is ASCII case-insensitive, and line breaks and tabs match a space, so a
    fragment matches across the lines of a multi-line reply (vertical tabs and form feeds
    too). The text is folded that way 64 octets at a time (AVX-512 or AVX2 where the
    processor has them, chosen at run time; SSE2 or plain code otherwise) into a small
    buffer, a chunk at a time; everything after works on folded octets. Token starts come
    out of the same pass as a bit mask, 64 octets to a word.

    On the AVX-512 VBMI path the same pass also drops the token starts whose first two
    octets begin no pattern, by a table of octet-class pairs held in two registers (a third
    of a bounce text's starts). At each token start left two bitmaps are probed: one keyed by
    the first eight octets of the patterns of eight octets or more (nine in ten of the rule
    tables'), one by the first three of the shorter ones. So few starts pass (2.6 of the 25
    in a typical bounce text) that the start is appended to each list of candidates whether
    or not its bit is set, the list growing by the bit: no branch on the data. A long
    candidate then finds its group of patterns by those eight octets in a table of four-way
    buckets, rules out most of the group by octets 8 to 15 kept in the table, and compares
    the rest eight octets at a time; a short one compares the (up to four) patterns that
    share its first three octets, masked to their lengths. The ids found are collected and
    handed to the caller once a chunk: setting bits as they were found made the writes to
    the same few words wait on each other. An Aho–Corasick DFA over these patterns is larger
    than L1, and its dependent loads made it several times slower.

    Patterns need three to `max_pattern` octets and no NUL. scan() allocates nothing.
*/
class multi_matcher {
  public:
    static constexpr std::size_t max_pattern = 96;
    static constexpr std::size_t max_patterns = 0xffff;  ///< Ids are 16 bits.
    static constexpr std::size_t max_group = 64;  ///< Long patterns with one first eight octets.

    /// Adds a pattern and returns its id (ids are dense, from 0). Duplicates share an id. A
    /// pattern over `max_pattern` octets, or one past `max_patterns`, makes build() fail.
    std::uint16_t add(std::string_view pattern);

    /// Instruction sets the scan can use, from the least.
    enum class simd { portable, avx2, avx512 };
    /// Whether this processor (and compiler) has `level`.
    static bool supports(simd level) noexcept;

    /// Compiles the tables, after the last add(). Returns false if a pattern is shorter than
    /// three or longer than `max_pattern` octets or has a NUL, more than `max_group` patterns
    /// share their first eight octets or more than four shorter ones their first three. The
    /// scan uses the best instruction set the processor has up to `limit` (tests compare
    /// them; the results are the same).
    bool build(simd limit = simd::avx512);

    std::size_t pattern_count() const noexcept { return lengths_.size(); }

    /// Receives the ids of patterns found in a text, in batches; an id may come more than
    /// once (a pattern found twice).
    using sink = void (*)(void* context, const std::uint16_t* ids, std::size_t count) noexcept;

    /// Passes to `to` the id of every pattern that occurs in `text` (none before a build()
    /// that succeeded).
    void scan(std::string_view text, sink to, void* context) const noexcept;

    /// Sets bit `id` in `found` (cleared by the caller, one bit per pattern) for every
    /// pattern that occurs in `text`.
    void scan(std::string_view text, std::uint64_t* found) const noexcept;

  private:
    static constexpr unsigned long_filter_bits = 16;   // 8 KiB
    static constexpr unsigned short_filter_bits = 13;  // 1 KiB
    static constexpr std::size_t short_ways = 4;       // Entries per bucket.
    static constexpr std::size_t head_ways = 4;
    static constexpr std::size_t chunk = 256;  // Token starts per folded chunk.
    /// Pattern ids found in a chunk before they go to the caller's sink: every short-pattern
    /// hit of a chunk, then long ones, handed over early when a group might not fit.
    static constexpr std::size_t hits_capacity = chunk * short_ways + max_group;
    /// Patterns of three to seven octets (zero-extended to a word), by their first three.
    struct short_bucket {
        std::uint64_t key[short_ways] = {1, 1, 1, 1};
        std::uint64_t mask[short_ways] = {};  // The pattern's octets; 0: empty.
        std::uint16_t id[short_ways] = {};
    };
    /// Groups of patterns of eight octets or more that share their first eight octets:
    /// long_[begin, end), packed as begin | end << 16 (0: empty; every group is non-empty).
    struct head_bucket {
        std::uint64_t head[head_ways] = {};
        std::uint32_t range[head_ways] = {};
    };
    struct long_entry {
        std::uint64_t head;
        std::uint64_t second;       // Octets 8 to 15 (those there are),
        std::uint64_t second_mask;  // and which of them count.
        std::uint32_t offset;       // Into folded_.
        std::uint16_t id;
        std::uint16_t length;
    };
    std::size_t bucket(std::uint64_t key, unsigned bits) const noexcept {
        return static_cast<std::size_t>((key * multiplier_) >> (64 - bits));
    }
    bool place(std::uint64_t multiplier);
    static std::uint32_t long_hash(std::uint64_t head) noexcept {
        return static_cast<std::uint32_t>((head * 0x9E3779B97F4A7C15u) >> (64 - long_filter_bits));
    }
    static std::uint32_t short_hash(std::uint64_t head) noexcept {
        const auto first3 = static_cast<std::uint32_t>(head & 0xffffff);
        return (first3 * 0x9E3779B1u) >> (32 - short_filter_bits);
    }
    std::size_t check_short(const unsigned char* p, std::uint16_t* hits,
                            std::size_t count) const noexcept;
    std::size_t check_long(const unsigned char* p, std::size_t left, std::uint16_t* hits,
                           std::size_t count) const noexcept;
    /// Folds up to 64 octets and returns their letter-or-digit mask (see matcher.cpp).
    using fold_function = std::uint64_t (*)(unsigned char* dst, const unsigned char* src,
                                            std::size_t count, const matcher_fold_tables& tables,
                                            std::uint64_t& punct,
                                            std::uint64_t& may_start) noexcept;

    std::string folded_;  // Every pattern folded, back to back, then eight NULs.
    bool built_ = false;
    bool unusable_ = false;  // add() was given what build() cannot take.
    std::unordered_map<std::string, std::uint16_t> ids_;  // By folded pattern.
    std::vector<std::uint32_t> offsets_;
    std::vector<std::uint16_t> lengths_;
    matcher_fold_tables fold_tables_;
    fold_function fold_ = nullptr;             // The best for this processor, set by build().
    std::vector<std::uint64_t> long_filter_;   // By a long pattern's first eight octets.
    std::vector<std::uint64_t> short_filter_;  // By a short one's first three.
    std::uint64_t multiplier_ = 0;             // The bucket hash's, chosen so no bucket overflows.
    // The bucket tables start small, so that they stay in L1 beside the filters, and
    // double while the patterns do not fit (see build()).
    unsigned short_bits_ = 5;
    unsigned head_bits_ = 8;
    std::vector<short_bucket> short_;  // 1 << short_bits_
    std::vector<head_bucket> heads_;   // 1 << head_bits_
    std::vector<long_entry> long_;     // by head
};

}  // namespace smtperr::detail

#endif  // SMTPERR_SRC_CLASSIFY_MATCHER_HPP
