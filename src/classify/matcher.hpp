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

    Token starts are found sixteen octets at a time where SSE2 is available. At each one the
    four octets there, with bit 5 set in each (which folds ASCII case without a table), are
    hashed into a bitmap of the patterns' first four octets (8 KiB, so it stays in L1;
    variants are entered for a leading space, which may be a line break in the text, and
    for the fourth octet after a three-octet pattern). Most token starts stop there. Only
    when the bit is set are eight octets folded at once (SWAR) and the patterns of that
    bucket compared, eight octets at a time; patterns of eight octets or more only after a
    second bitmap, of their first eight octets, has their bit set (many patterns share a
    first word: "sender", "mailbox", "recipient"). An Aho–Corasick DFA over these patterns is
    larger than L1, and its dependent loads made it several times slower.

    Matching is ASCII case-insensitive, and line breaks and tabs match a space, so a
    fragment matches across the lines of a multi-line reply (vertical tabs and form feeds
    too). Patterns need three to
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
    static constexpr unsigned filter_bits = 16;  // 8 KiB
    static constexpr unsigned bucket_bits = 12;  // The filter hash's top bits.
    struct entry {
        std::uint64_t head;  // The first (up to) eight folded octets.
        std::uint64_t mask;  // Which octets of head count.
        std::uint16_t id;
        std::uint16_t length;
        std::uint32_t offset;  // Into folded_.
    };
    void check(std::uint32_t h, const unsigned char* p, std::size_t left,
               std::uint64_t* found) const noexcept;

    std::string folded_;
    std::vector<std::uint32_t> offsets_;
    std::vector<std::uint16_t> lengths_;
    std::uint8_t fold_[256] = {};
    std::uint8_t alnum_[256] = {};        // 1 for ASCII letters and digits.
    std::uint8_t punct_start_[256] = {};  // 1 for octets a punctuation-led pattern starts with.
    std::string punct_starts_;            // The same octets, as a list (for the SIMD path).
    std::vector<std::uint64_t> filter_;   // 1 << filter_bits bits, by four octets
    std::vector<std::uint64_t> filter8_;  // 1 << filter_bits bits, by eight octets
    std::vector<std::uint32_t> bucket_begin_;  // (1 << bucket_bits) + 1
    std::vector<std::uint32_t> bucket_long_;   // where a bucket's patterns of 8+ octets begin
    std::vector<entry> entries_;               // by bucket: shorter patterns, then longer
};

}  // namespace smtperr::detail

#endif  // SMTPERR_SRC_CLASSIFY_MATCHER_HPP
