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

    Fragments match at token starts: a fragment that begins with a letter or digit matches
    where a word begins (after a non-alphanumeric octet or at the start of the text), and
    one that begins with punctuation ("(#AUTH005)", "[TSS04]") matches wherever that
    punctuation occurs. So "greylist" finds "Greylisted" and "spam" finds "X-Spam", but
    "rbl" does not fire inside "Verblüfft".

    Token starts are found sixteen octets at a time where SSE2 is available. At each one a
    hashed bitmap of every raw three-octet start of a pattern (case and line-break variants
    included; 8 KiB, so it stays in L1) rules out most positions; only then is the folded
    window hashed into the pattern buckets and those patterns compared, eight octets at a
    time. An Aho–Corasick DFA over these patterns is larger than L1, and its dependent
    loads made it several times slower.

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
    void check(const table& t, std::uint32_t h, std::uint64_t head, const unsigned char* p,
               std::size_t left, std::uint64_t* found) const noexcept;
    void at(const unsigned char* p, std::size_t left, std::uint64_t* found) const noexcept;

    std::string folded_;
    std::vector<std::uint32_t> offsets_;
    std::vector<std::uint16_t> lengths_;
    std::uint8_t fold_[256] = {};
    std::uint8_t alnum_[256] = {};        // 1 for ASCII letters and digits.
    std::uint8_t punct_start_[256] = {};  // 1 for octets a punctuation-led pattern starts with.
    std::string punct_starts_;            // The same octets, as a list (for the SIMD path).
    static constexpr unsigned start_bits = 16;
    std::vector<std::uint64_t> starts_;  // Hashed raw three-octet starts of patterns.
    table four_;   // Patterns of four or more octets, keyed by their first four.
    table three_;  // Three-octet patterns.
};

}  // namespace smtperr::detail

#endif  // SMTPERR_SRC_CLASSIFY_MATCHER_HPP
