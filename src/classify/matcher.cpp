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
    if (c >= '\t' && c <= '\r') {  // tab, line feed, vertical tab, form feed, return
        return ' ';
    }
    return c;
}

constexpr std::uint32_t window_hash(std::uint32_t window, unsigned bits) noexcept {
    return (window * 0x9E3779B1u) >> (32 - bits);
}

constexpr std::uint32_t head_hash(std::uint64_t head, unsigned bits) noexcept {
    return static_cast<std::uint32_t>((head * 0x9E3779B97F4A7C15u) >> (64 - bits));
}

std::uint64_t load64(const unsigned char* p) noexcept {
    std::uint64_t v;
    std::memcpy(&v, p, sizeof v);
    return v;
}

// The four octets at p with bit 5 set in each, first octet lowest: ASCII letters fold to
// lower case; other octets may collide, which only costs a comparison in check().
inline std::uint32_t squashed_window(const unsigned char* p) noexcept {
    std::uint32_t v;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    std::memcpy(&v, p, sizeof v);
#else
    v = p[0] | (std::uint32_t{p[1]} << 8) | (std::uint32_t{p[2]} << 16) |
        (std::uint32_t{p[3]} << 24);
#endif
    return v | 0x20202020u;
}

// Eight octets folded as fold_octet() does, all at once: ASCII upper case to lower case,
// tab … carriage return to space, everything else unchanged. No carry crosses an octet.
inline std::uint64_t fold8(std::uint64_t x) noexcept {
    constexpr std::uint64_t ones = 0x0101010101010101u;
    constexpr std::uint64_t high = 0x80 * ones;
    const std::uint64_t ascii = ~x & high;  // high bit set for ASCII octets
    const std::uint64_t t = x & (0x7f * ones);
    const std::uint64_t upper = (t + (0x80 - 'A') * ones) & ~(t + (0x80 - 'Z' - 1) * ones) & ascii;
    const std::uint64_t space =
        (t + (0x80 - '\t') * ones) & ~(t + (0x80 - '\r' - 1) * ones) & ascii;
    const std::uint64_t space_octets = (space >> 7) * 0xff;
    return ((x | (upper >> 2)) & ~space_octets) | (space_octets & (' ' * ones));
}

// The first eight octets at p (`left` ≥ 3 remain), zero-padded, in memory order.
inline std::uint64_t head_at(const unsigned char* p, std::size_t left) noexcept {
    unsigned char buf[8] = {};
    std::memcpy(buf, p, left < 8 ? left : 8);
    return load64(buf);
}

// What a folded pattern octet may look like in squashed text.
constexpr unsigned char space_variants[] = {' ',         '\t' | 0x20, '\n' | 0x20,
                                            '\v' | 0x20, '\f' | 0x20, '\r' | 0x20};

// Calls f(key) for every squashed four-octet window of text that folded pattern `p` of `len`
// octets may start: spaces may be any of their variants; after a three-octet pattern, any
// fourth octet (squashed: bit 5 set).
template <class F>
void for_each_window(const unsigned char* p, std::size_t len, std::size_t n, std::uint32_t key,
                     F&& f) {
    if (n == 4) {
        f(key);
        return;
    }
    const unsigned shift = 8 * static_cast<unsigned>(n);
    if (n >= len) {
        for (unsigned v = 0x20; v < 0x100; v = (v + 1) | 0x20) {
            for_each_window(p, len, n + 1, key | (std::uint32_t{v} << shift), f);
        }
    } else if (p[n] == ' ') {
        for (const auto v : space_variants) {
            for_each_window(p, len, n + 1, key | (std::uint32_t{v} << shift), f);
        }
    } else {
        for_each_window(p, len, n + 1, key | (std::uint32_t{p[n] | 0x20u} << shift), f);
    }
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
    const std::size_t buckets = std::size_t{1} << bucket_bits;
    std::vector<std::vector<entry>> by_bucket(buckets);
    filter_.assign((std::size_t{1} << filter_bits) / 64, 0);
    filter8_.assign((std::size_t{1} << filter_bits) / 64, 0);
    for (std::size_t id = 0; id < offsets_.size(); ++id) {
        const std::size_t len = lengths_[id];
        if (len < 3 || len > max_pattern) {
            return false;
        }
        const auto* p = reinterpret_cast<const unsigned char*>(folded_.data() + offsets_[id]);
        unsigned char head[8] = {};
        std::memcpy(head, p, std::min<std::size_t>(len, 8));
        const entry e{
            load64(head), len >= 8 ? ~std::uint64_t{0} : (std::uint64_t{1} << (8 * len)) - 1,
            static_cast<std::uint16_t>(id), static_cast<std::uint16_t>(len), offsets_[id]};
        if (len >= 8) {
            const std::uint32_t h8 = head_hash(e.head, filter_bits);
            filter8_[h8 / 64] |= std::uint64_t{1} << (h8 % 64);
        }
        for_each_window(p, len, 0, 0, [&](std::uint32_t key) {
            const std::uint32_t h = window_hash(key, filter_bits);
            filter_[h / 64] |= std::uint64_t{1} << (h % 64);
            auto& bucket = by_bucket[h >> (filter_bits - bucket_bits)];
            if (std::find_if(bucket.begin(), bucket.end(),
                             [&](const entry& x) { return x.id == e.id; }) == bucket.end()) {
                bucket.push_back(e);
            }
        });
    }
    bucket_begin_.assign(buckets + 1, 0);
    bucket_long_.assign(buckets, 0);
    entries_.clear();
    for (std::size_t b = 0; b < buckets; ++b) {
        auto& bucket = by_bucket[b];
        const auto long_begin = std::stable_partition(bucket.begin(), bucket.end(),
                                                      [](const entry& x) { return x.length < 8; });
        bucket_begin_[b] = static_cast<std::uint32_t>(entries_.size());
        bucket_long_[b] = static_cast<std::uint32_t>(
            entries_.size() + static_cast<std::size_t>(long_begin - bucket.begin()));
        entries_.insert(entries_.end(), bucket.begin(), bucket.end());
    }
    bucket_begin_[buckets] = static_cast<std::uint32_t>(entries_.size());
    return true;
}

// Compares the patterns of the bucket of filter hash `h` with the text at `p` (`left` ≥ 3
// octets remain).
void multi_matcher::check(std::uint32_t h, const unsigned char* p, std::size_t left,
                          std::uint64_t* found) const noexcept {
    const std::uint64_t head = fold8(left >= 8 ? load64(p) : head_at(p, left));
    const std::uint32_t bucket = h >> (filter_bits - bucket_bits);
    std::uint32_t b = bucket_begin_[bucket];
    for (; b < bucket_long_[bucket]; ++b) {
        const entry& e = entries_[b];
        if ((head & e.mask) == e.head && e.length <= left) {
            found[e.id / 64] |= std::uint64_t{1} << (e.id % 64);
        }
    }
    const std::uint32_t h8 = head_hash(head, filter_bits);
    if (left < 8 || ((filter8_[h8 / 64] >> (h8 % 64)) & 1u) == 0) {
        return;
    }
    for (; b < bucket_begin_[bucket + 1]; ++b) {
        const entry& e = entries_[b];
        if (head != e.head || e.length > left) {
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

void multi_matcher::scan(std::string_view text, std::uint64_t* found) const noexcept {
    const std::size_t n = text.size();
    if (n < 3 || filter_.empty()) {
        return;
    }
    const auto* t = reinterpret_cast<const unsigned char*>(text.data());
    const std::size_t last = n - 2;  // Patterns have three octets or more.
    std::size_t i = 0;
    unsigned prev_alnum = 0;
    // A token start at t + j: the filter, then the bucket.
    const auto at = [&](std::size_t j) {
        const std::size_t left = n - j;
        const std::uint32_t w = left >= 4 ? squashed_window(t + j)
                                          : (t[j] | (std::uint32_t{t[j + 1]} << 8) |
                                             (std::uint32_t{t[j + 2]} << 16) | 0x20202020u);
        const std::uint32_t h = window_hash(w, filter_bits);
        if (((filter_[h / 64] >> (h % 64)) & 1u) != 0) {
            check(h, t + j, left, found);
        }
    };
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
            at(i + k);
            starts &= starts - 1;
        }
    }
#endif
    for (; i < last; ++i) {
        const unsigned a = alnum_[t[i]];
        if ((a & ~prev_alnum) != 0 || punct_start_[t[i]] != 0) {
            at(i);
        }
        prev_alnum = a;
    }
}

}  // namespace smtperr::detail
