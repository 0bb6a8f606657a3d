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

    Matching is ASCII case-insensitive, and line breaks and tabs match a space, so a
    fragment matches across the lines of a multi-line reply (vertical tabs and form feeds
    too). The text is folded that way sixteen octets at a time (SSE2 where available) into
    a small buffer, a chunk at a time; everything after works on folded octets. Token
    starts come out of the same pass as a bit mask. At each one the four octets there are
    hashed into a bitmap of the patterns' first four octets (8 KiB, so it stays in L1; for a
    three-octet pattern every fourth octet is entered). Most token starts stop there. On a
    hit, the patterns under eight octets in that hash bucket are compared as one masked
    word each, and the patterns of eight octets or more are found by their first eight
    octets in a small hash table (many share a first word: "sender", "mailbox",
    "recipient") and compared eight octets at a time. An Aho–Corasick DFA over these
    patterns is larger than L1, and its dependent loads made it several times slower.

    Patterns need three to `max_pattern` octets. scan() sets one bit per pattern found and
    allocates nothing.
*/
class multi_matcher {
  public:
    static constexpr std::size_t max_pattern = 96;

    /// Adds a pattern and returns its id (ids are dense, from 0). Duplicates share an id.
    std::uint16_t add(std::string_view pattern);

    /// Compiles the tables. Call once, after the last add(). Returns false if a pattern is
    /// shorter than three or longer than `max_pattern` octets, or the tables overflow.
    bool build();

    std::size_t pattern_count() const noexcept { return lengths_.size(); }

    /// Sets bit `id` in `found` (cleared by the caller, one bit per pattern) for every
    /// pattern that occurs in `text`.
    void scan(std::string_view text, std::uint64_t* found) const noexcept;

  private:
    static constexpr unsigned filter_bits = 16;  // 8 KiB
    static constexpr unsigned bucket_bits = 12;  // The filter hash's top bits.
    static constexpr unsigned head_bits = 10;    // Slots of the eight-octet head table.
    static constexpr std::size_t chunk = 256;    // Token starts per folded chunk.
    struct entry {
        std::uint64_t head;  // The first (up to) eight folded octets.
        std::uint64_t mask;  // Which octets of head count.
        std::uint16_t id;
        std::uint16_t length;
        std::uint32_t offset;  // Into folded_.
    };
    /// Patterns of eight octets or more that share their first eight: long_[begin, end).
    struct head_slot {
        std::uint64_t head = 0;  // 0: empty (no pattern starts with a NUL).
        std::uint32_t begin = 0;
        std::uint32_t end = 0;
    };
    void check(const unsigned char* p, std::uint32_t h, std::size_t left,
               std::uint64_t* found) const noexcept;

    std::string folded_;  // Every pattern folded, back to back, then eight NULs.
    std::vector<std::uint32_t> offsets_;
    std::vector<std::uint16_t> lengths_;
    std::uint8_t punct_start_[256] =
        {};                     // 1 for folded octets a punctuation-led pattern starts with.
    std::string punct_starts_;  // The same octets, as a list (for the SIMD path).
    std::vector<std::uint64_t> filter_;        // 1 << filter_bits bits, by four octets
    std::vector<std::uint32_t> bucket_begin_;  // (1 << bucket_bits) + 1
    std::vector<entry> entries_;               // patterns under eight octets, by bucket
    std::vector<head_slot> heads_;             // 1 << head_bits, open addressing
    std::vector<entry> long_;                  // patterns of eight octets or more, by head
};

}  // namespace smtperr::detail

#endif  // SMTPERR_SRC_CLASSIFY_MATCHER_HPP
