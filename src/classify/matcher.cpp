// smtperr — SMTP error mapping for mail clients.
// Distributed under the Boost Software License, Version 1.0.

#include "classify/matcher.hpp"

#include <algorithm>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace smtperr::detail {

namespace {

constexpr unsigned char fold_octet(unsigned char c) noexcept {
    if (c >= 'A' && c <= 'Z') {
        return static_cast<unsigned char>(c - 'A' + 'a');
    }
    if (c == '\n' || c == '\r' || c == '\t') {
        return ' ';
    }
    return c;
}

constexpr std::uint32_t window_hash(std::uint32_t window, unsigned bits) noexcept {
    return (window * 0x9E3779B1u) >> (32 - bits);
}

std::uint64_t load64(const unsigned char* p) noexcept {
    std::uint64_t v;
    std::memcpy(&v, p, sizeof v);
    return v;
}

// The three octets at p, first octet lowest; `left` ≥ 3 octets are readable.
inline std::uint32_t raw_window(const unsigned char* p, std::size_t left) noexcept {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    if (left >= 4) {
        std::uint32_t v;
        std::memcpy(&v, p, sizeof v);
        return v & 0xffffffu;
    }
#endif
    static_cast<void>(left);
    return p[0] | (std::uint32_t{p[1]} << 8) | (std::uint32_t{p[2]} << 16);
}

}  // namespace

std::uint16_t multi_matcher::add(std::string_view pattern) {
    std::string p;
    p.reserve(pattern.size());
    for (char c : pattern) {
        p.push_back(static_cast<char>(fold_octet(static_cast<unsigned char>(c))));
    }
    for (std::size_t id = 0; id < offsets_.size(); ++id) {
        if (std::string_view(folded_).substr(offsets_[id], lengths_[id]) == p) {
            return static_cast<std::uint16_t>(id);
        }
    }
    offsets_.push_back(static_cast<std::uint32_t>(folded_.size()));
    lengths_.push_back(static_cast<std::uint16_t>(p.size()));
    folded_ += p;
    return static_cast<std::uint16_t>(offsets_.size() - 1);
}

void multi_matcher::table::build(std::vector<std::vector<entry>>& by_hash) {
    const std::size_t buckets = by_hash.size();
    filter.assign(buckets / 64, 0);
    bucket_begin.assign(buckets + 1, 0);
    entries.clear();
    for (std::size_t h = 0; h < buckets; ++h) {
        bucket_begin[h] = static_cast<std::uint32_t>(entries.size());
        if (!by_hash[h].empty()) {
            filter[h / 64] |= std::uint64_t{1} << (h % 64);
            entries.insert(entries.end(), by_hash[h].begin(), by_hash[h].end());
        }
    }
    bucket_begin[buckets] = static_cast<std::uint32_t>(entries.size());
}

bool multi_matcher::build() {
    for (int b = 0; b < 256; ++b) {
        fold_[b] = fold_octet(static_cast<unsigned char>(b));
        alnum_[b] = (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9');
    }
    punct_starts_.clear();
    for (std::size_t id = 0; id < offsets_.size(); ++id) {
        const auto first = static_cast<unsigned char>(folded_[offsets_[id]]);
        if (alnum_[first] != 0) {
            continue;
        }
        for (int b = 0; b < 256; ++b) {
            if (fold_[b] == first && punct_start_[b] == 0) {
                punct_start_[b] = 1;
                punct_starts_.push_back(static_cast<char>(b));
            }
        }
    }
    const std::size_t buckets = std::size_t{1} << hash_bits;
    std::vector<std::vector<entry>> by_hash4(buckets);
    std::vector<std::vector<entry>> by_hash3(buckets);
    for (std::size_t id = 0; id < offsets_.size(); ++id) {
        const std::size_t len = lengths_[id];
        if (len < 3 || len > max_pattern) {
            return false;
        }
        unsigned char head[8] = {};
        std::memcpy(head, folded_.data() + offsets_[id], std::min<std::size_t>(len, 8));
        entry e{load64(head), len >= 8 ? ~std::uint64_t{0} : (std::uint64_t{1} << (8 * len)) - 1,
                static_cast<std::uint16_t>(id), static_cast<std::uint16_t>(len), offsets_[id]};
        // The window as scan() builds it: first octet lowest, whatever the endianness.
        const std::uint32_t w = head[0] | (std::uint32_t{head[1]} << 8) |
                                (std::uint32_t{head[2]} << 16) | (std::uint32_t{head[3]} << 24);
        if (len == 3) {
            by_hash3[window_hash(w, hash_bits)].push_back(e);
        } else {
            by_hash4[window_hash(w, hash_bits)].push_back(e);
        }
    }
    four_.build(by_hash4);
    three_.build(by_hash3);
    // Every raw octet triple that folds to a pattern's first three octets, hashed.
    std::vector<std::uint8_t> raw_of[256];
    for (unsigned a = 0; a < 256; ++a) {
        raw_of[fold_[a]].push_back(static_cast<std::uint8_t>(a));
    }
    starts_.assign((std::size_t{1} << start_bits) / 64, 0);
    for (std::size_t id = 0; id < offsets_.size(); ++id) {
        const auto* p = reinterpret_cast<const unsigned char*>(folded_.data() + offsets_[id]);
        for (const auto a : raw_of[p[0]]) {
            for (const auto b : raw_of[p[1]]) {
                for (const auto c : raw_of[p[2]]) {
                    const std::uint32_t h = window_hash(
                        a | (std::uint32_t{b} << 8) | (std::uint32_t{c} << 16), start_bits);
                    starts_[h / 64] |= std::uint64_t{1} << (h % 64);
                }
            }
        }
    }
    return true;
}

// Compares the patterns of bucket `h` of `t` (whose filter bit is set) with the text at `p`
// (`left` octets remain), whose first eight octets, folded and zero-padded, are `head`.
void multi_matcher::check(const table& t, std::uint32_t h, std::uint64_t head,
                          const unsigned char* p, std::size_t left,
                          std::uint64_t* found) const noexcept {
    for (std::uint32_t b = t.bucket_begin[h]; b < t.bucket_begin[h + 1]; ++b) {
        const entry& e = t.entries[b];
        if ((head & e.mask) != e.head || e.length > left) {
            continue;
        }
        std::size_t k = 8;
        const char* pat = folded_.data() + e.offset;
        while (k < e.length && static_cast<char>(fold_[p[k]]) == pat[k]) {
            ++k;
        }
        if (k >= e.length) {
            found[e.id / 64] |= std::uint64_t{1} << (e.id % 64);
        }
    }
}

// A token start at p: the two filters, then the buckets.
void multi_matcher::at(const unsigned char* p, std::size_t left,
                       std::uint64_t* found) const noexcept {
    const std::uint32_t s = window_hash(raw_window(p, left), start_bits);
    if (((starts_[s / 64] >> (s % 64)) & 1u) == 0) {
        return;
    }
    // Fold four octets for the bucket filters, the other four only if a filter passes.
    unsigned char folded[8] = {fold_[p[0]], fold_[p[1]], fold_[p[2]], 0, 0, 0, 0, 0};
    if (left >= 4) {
        folded[3] = fold_[p[3]];
    }
    const std::uint32_t w = folded[0] | (std::uint32_t{folded[1]} << 8) |
                            (std::uint32_t{folded[2]} << 16) | (std::uint32_t{folded[3]} << 24);
    const std::uint32_t h3 = window_hash(w & 0xffffffu, hash_bits);
    const std::uint32_t h4 = window_hash(w, hash_bits);
    const bool in3 = !three_.filter.empty() && ((three_.filter[h3 / 64] >> (h3 % 64)) & 1u) != 0;
    const bool in4 = left >= 4 && ((four_.filter[h4 / 64] >> (h4 % 64)) & 1u) != 0;
    if (!in3 && !in4) {
        return;
    }
    for (std::size_t k = 4; k < 8 && k < left; ++k) {
        folded[k] = fold_[p[k]];
    }
    const std::uint64_t head = load64(folded);
    if (in3) {
        check(three_, h3, head, p, left, found);
    }
    if (in4) {
        check(four_, h4, head, p, left, found);
    }
}

void multi_matcher::scan(std::string_view text, std::uint64_t* found) const noexcept {
    const std::size_t n = text.size();
    if (n < 3 || starts_.empty()) {
        return;
    }
    const auto* t = reinterpret_cast<const unsigned char*>(text.data());
    const std::size_t last = n - 2;  // Patterns have three octets or more.
    std::size_t i = 0;
    unsigned prev_alnum = 0;
#if defined(__SSE2__)
    const __m128i zero = _mm_setzero_si128();
    const __m128i a_lo = _mm_set1_epi8('a');
    const __m128i d_lo = _mm_set1_epi8('0');
    const __m128i case_bit = _mm_set1_epi8(0x20);
    const __m128i letters = _mm_set1_epi8(25);
    const __m128i digits = _mm_set1_epi8(9);
    for (; i + 16 <= last; i += 16) {
        const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(t + i));
        // In range ⇔ the saturating difference to the range's top is zero.
        const __m128i lower = _mm_or_si128(v, case_bit);
        const __m128i is_letter =
            _mm_cmpeq_epi8(_mm_subs_epu8(_mm_sub_epi8(lower, a_lo), letters), zero);
        const __m128i is_digit = _mm_cmpeq_epi8(_mm_subs_epu8(_mm_sub_epi8(v, d_lo), digits), zero);
        const auto alnum =
            static_cast<unsigned>(_mm_movemask_epi8(_mm_or_si128(is_letter, is_digit)));
        unsigned starts = alnum & ~((alnum << 1) | prev_alnum) & 0xffffu;
        for (const char c : punct_starts_) {
            starts |= static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(c))));
        }
        prev_alnum = (alnum >> 15) & 1u;
        while (starts != 0) {
            const auto k = static_cast<std::size_t>(__builtin_ctz(starts));
            at(t + i + k, n - i - k, found);
            starts &= starts - 1;
        }
    }
#endif
    for (; i < last; ++i) {
        const unsigned a = alnum_[t[i]];
        if ((a & ~prev_alnum) != 0 || punct_start_[t[i]] != 0) {
            at(t + i, n - i, found);
        }
        prev_alnum = a;
    }
}

}  // namespace smtperr::detail
