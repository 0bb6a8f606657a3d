// smtperr — SMTP error mapping for mail clients.
// Distributed under the Boost Software License, Version 1.0.

#ifndef SMTPERR_SRC_CLASSIFY_MATCHER_HPP
#define SMTPERR_SRC_CLASSIFY_MATCHER_HPP

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace smtperr::detail {

/** A precompiled multi-pattern matcher for short text fragments.

    Two filters run before any comparison. The first is a hashed bitmap (8 KiB, so it stays
    in the L1 cache) of every raw three-octet sequence a pattern can start with, case and
    line-break variants included, so the text is never folded up front and each octet
    costs a multiply and a bit test. Where it hits, the folded four-octet
    window is hashed into a second bitmap (three-octet patterns have their own), and only
    then are that bucket's patterns compared, eight octets at a time. An Aho–Corasick DFA
    over these patterns is larger than L1, and its dependent loads made it several times
    slower.

    Matching is ASCII case-insensitive, and line breaks and tabs match a space, so a
    fragment matches across the lines of a multi-line reply. Patterns need three to
    `max_pattern` octets. scan() sets one bit per pattern found and allocates nothing.
*/
class multi_matcher {
public:
    static constexpr std::size_t max_pattern = 96;

    /// Adds a pattern and returns its id (ids are dense, from 0). Duplicates share an id.
    std::uint16_t add(std::string_view pattern);

    /// Compiles the tables. Call once, after the last add(). Returns false if a pattern is
    /// shorter than three or longer than `max_pattern` octets.
    bool build();

    std::size_t pattern_count() const noexcept { return lengths_.size(); }

    /// Sets bit `id` in `found` (cleared by the caller, one bit per pattern) for every
    /// pattern that occurs in `text`.
    void scan(std::string_view text, std::uint64_t* found) const noexcept;

private:
    static constexpr unsigned hash_bits = 13;
    struct entry {
        std::uint64_t head;  // The first (up to) eight folded octets.
        std::uint64_t mask;  // Which octets of head count.
        std::uint16_t id;
        std::uint16_t length;
        std::uint32_t offset;  // Into folded_.
    };
    struct table {
        std::vector<std::uint64_t> filter;        // 1 << hash_bits bits
        std::vector<std::uint32_t> bucket_begin;  // (1 << hash_bits) + 1
        std::vector<entry> entries;
        void build(std::vector<std::vector<entry>>& by_hash);
    };
    void check(const table& t, std::uint32_t h, const unsigned char* text, std::size_t left,
               std::uint64_t* found) const noexcept;

    std::string folded_;
    std::vector<std::uint32_t> offsets_;
    std::vector<std::uint16_t> lengths_;
    std::uint8_t fold_[256] = {};
    static constexpr unsigned start_bits = 16;
    std::vector<std::uint64_t> starts_;  // Hashed raw three-octet starts of patterns.
    table four_;   // Patterns of four or more octets, keyed by their first four.
    table three_;  // Three-octet patterns.
};

}  // namespace smtperr::detail

#endif  // SMTPERR_SRC_CLASSIFY_MATCHER_HPP
